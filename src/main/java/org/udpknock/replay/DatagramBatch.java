package org.udpknock.replay;

import java.util.Arrays;
import org.udpknock.decode.Datagram;
import org.udpknock.door.DoorSet;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.report.DeferredEvents;
import org.udpknock.report.EventWriter;

/**
 * Accepted datagrams on their way from the reading thread to the doors: what
 * {@link FramePipeline#deliver} takes, with a copy of each payload (an authenticated door reads
 * it; the frame's array is reused by the next frame); and, on the way back, the events their
 * delivery made, recorded to be written by the reading thread ({@link DeferredEvents}). Reused,
 * so the hand-over allocates nothing per datagram.
 */
final class DatagramBatch {
  static final int CAPACITY = 4096;
  /** Payload bytes a batch takes before it counts as full (one larger payload still fits alone). */
  static final int PAYLOAD_BUDGET = 1 << 20;

  private final long[] timeNanos = new long[CAPACITY];
  private final int[] timeDigits = new int[CAPACITY];
  private final long[] sourceHi = new long[CAPACITY];
  private final long[] sourceLo = new long[CAPACITY];
  private final int[] port = new int[CAPACITY];
  private final int[] payloadEnd = new int[CAPACITY];
  private final boolean[] payloadComplete = new boolean[CAPACITY];
  private byte[] payloads = new byte[CAPACITY * 16];
  private int size;
  /** The events the delivery of these datagrams made, not written yet. */
  final DeferredEvents events = new DeferredEvents();

  /** The last batch of a replay: set with {@link #end}. */
  boolean last;
  /** Fraction digits of the last frame read, for the summary; -1 when none was read. */
  int finalTimeDigits = -1;
  /** Why reading stopped early, thrown on the delivering thread; null at a normal end. */
  Throwable failure;
  /** Whether the events are flushed once this batch is delivered: the input was about to wait. */
  boolean flushAfter;

  boolean isEmpty() {
    return size == 0;
  }

  /** Whether a datagram with {@code payloadLength} bytes of payload fits. */
  boolean fits(int payloadLength) {
    return size == 0 || size < CAPACITY && payloadBytes() + payloadLength <= PAYLOAD_BUDGET;
  }

  /** Adds a datagram decoded from {@code data}; call only when it {@link #fits}. */
  void add(long time, int digits, long keyedSourceHi, Datagram datagram, byte[] data) {
    int start = payloadBytes();
    int end = start + datagram.payloadLength;
    if (end > payloads.length) {
      payloads = Arrays.copyOf(payloads, Math.max(end, 2 * payloads.length));
    }
    System.arraycopy(data, datagram.payloadOffset, payloads, start, datagram.payloadLength);
    timeNanos[size] = time;
    timeDigits[size] = digits;
    sourceHi[size] = keyedSourceHi;
    sourceLo[size] = datagram.sourceLo;
    port[size] = datagram.destinationPort;
    payloadEnd[size] = end;
    payloadComplete[size] = datagram.payloadComplete;
    size++;
  }

  /**
   * Delivers the datagrams in order, recording the events of {@code writer}'s doors into
   * {@link #events}, each with its capture's time digits.
   */
  void deliverTo(FramePipeline pipeline, EventWriter writer) {
    writer.deferTo(events);
    DoorSet doors = pipeline.doorSet(); // once: the pipeline's fields are the reading thread's to write
    int digits = -1;
    for (int i = 0; i < size; i++) {
      if (timeDigits[i] != digits) {
        digits = timeDigits[i];
        events.setTimeDigits(digits);
      }
      int start = i == 0 ? 0 : payloadEnd[i - 1];
      FramePipeline.deliver(doors, timeNanos[i], sourceHi[i], sourceLo[i], port[i], payloads, start,
          payloadEnd[i] - start, payloadComplete[i]);
    }
  }

  /** Marks this as the last batch. */
  void end(int lastTimeDigits, Throwable why) {
    last = true;
    finalTimeDigits = lastTimeDigits;
    failure = why;
  }

  /** Empties it for the next use; its {@link #events} are written and emptied apart. */
  void clear() {
    size = 0;
    last = false;
    finalTimeDigits = -1;
    failure = null;
    flushAfter = false;
  }

  private int payloadBytes() {
    return size == 0 ? 0 : payloadEnd[size - 1];
  }
}
