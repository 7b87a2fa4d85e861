package org.udpknock.replay;

import java.util.Arrays;
import jdk.internal.vm.annotation.Contended;
import org.udpknock.core.Addresses;
import org.udpknock.decode.Datagram;
import org.udpknock.door.DoorSet;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.report.DeferredEvents;
import org.udpknock.report.EventWriter;

/**
 * Accepted datagrams on their way from the reading thread to the doors: what
 * {@link FramePipeline#deliver} takes, with a copy of each payload where a door reads it (an
 * authenticated door; the frame's array is reused by the next frame); and, on the way back, the events their
 * delivery made, recorded to be written by the reading thread ({@link DeferredEvents}). Reused,
 * so the hand-over allocates nothing per datagram.
 */
// Padded from its neighbours in memory (false sharing): written at every frame by
// the thread that reads a capture; see BatchedReplay.
@Contended
final class DatagramBatch {
  static final int CAPACITY = 4096;
  /** Payload bytes a batch takes before it counts as full (one larger payload still fits alone). */
  static final int PAYLOAD_BUDGET = 1 << 20;
  /** Longs a datagram takes at most: its time, its meta long, its source's two halves. */
  private static final int MOST_WORDS = 4;
  private static final long PORT_MASK = 0xFFFF;
  /** Meta: the source is an IPv4 address (the mapped form, with hi 0), kept in the top 32 bits. */
  private static final long IPV4_IN_META = 1L << 16;
  /** Meta: the source's hi half follows its lo half (else hi is 0). */
  private static final long HAS_HI = 1L << 17;
  /** Meta: the payload is complete; its length is in the top 32 bits (payloads copied only). */
  private static final long COMPLETE = 1L << 18;
  private static final int HIGH_HALF = 32;

  /**
   * The datagrams, each as its time, a meta long (port and flags), then its source's lo and hi
   * halves where the meta long cannot hold the source. An IPv4 datagram for doors that read no
   * payload takes two longs where seven arrays took 37 bytes: the batch crosses from one core's
   * cache to the other's twice per use, and the lines it takes were most of both threads' cost
   * of the hand-over.
   */
  private final long[] words = new long[CAPACITY * MOST_WORDS];
  private int wordCount;
  private int size;
  /** Whether payloads are copied: some door reads them (authenticated doors). */
  private final boolean copyPayloads;
  private byte[] payloads = new byte[CAPACITY * 16];
  private int payloadBytes;
  /** The time digits of every datagram of the batch: a frame of other digits starts the next batch. */
  private int timeDigits = -1;
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

  /** @param copyPayloads whether the doors read payloads, so that each datagram's is copied */
  DatagramBatch(boolean copyPayloads) {
    this.copyPayloads = copyPayloads;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Whether a datagram with {@code payloadLength} bytes of payload and {@code digits} fits. */
  boolean fits(int payloadLength, int digits) {
    if (size == 0) {
      return true;
    }
    return size < CAPACITY && digits == timeDigits
        && (!copyPayloads || payloadBytes + payloadLength <= PAYLOAD_BUDGET);
  }

  /** Adds a datagram decoded from {@code data}; call only when it {@link #fits}. */
  void add(long time, int digits, long keyedSourceHi, Datagram datagram, byte[] data) {
    timeDigits = digits;
    long meta = datagram.destinationPort;
    if (copyPayloads) {
      copyPayload(data, datagram.payloadOffset, datagram.payloadLength);
      meta |= (long) datagram.payloadLength << HIGH_HALF | (datagram.payloadComplete ? COMPLETE : 0);
    }
    long lo = datagram.sourceLo;
    words[wordCount++] = time;
    if (!copyPayloads && keyedSourceHi == 0 && Addresses.ipv4Lo((int) lo) == lo) {
      words[wordCount++] = meta | IPV4_IN_META | lo << HIGH_HALF;
    } else {
      words[wordCount++] = keyedSourceHi == 0 ? meta : meta | HAS_HI;
      words[wordCount++] = lo;
      if (keyedSourceHi != 0) {
        words[wordCount++] = keyedSourceHi;
      }
    }
    size++;
  }

  private void copyPayload(byte[] data, int offset, int length) {
    int end = payloadBytes + length;
    if (end > payloads.length) {
      payloads = Arrays.copyOf(payloads, Math.max(end, 2 * payloads.length));
    }
    System.arraycopy(data, offset, payloads, payloadBytes, length);
    payloadBytes = end;
  }

  /**
   * Delivers the datagrams in order, recording the events of {@code writer}'s doors into
   * {@link #events}, with the batch's time digits. Without copied payloads, the doors get an
   * empty one: none of them reads it.
   */
  void deliverTo(FramePipeline pipeline, EventWriter writer) {
    writer.deferTo(events);
    if (size == 0) {
      return;
    }
    events.setTimeDigits(timeDigits);
    DoorSet doors = pipeline.doorSet(); // once: the pipeline's fields are the reading thread's to write
    int payloadStart = 0;
    for (int w = 0; w < wordCount; ) {
      long time = words[w++];
      long meta = words[w++];
      long lo;
      long hi = 0;
      if ((meta & IPV4_IN_META) != 0) {
        lo = Addresses.ipv4Lo((int) (meta >>> HIGH_HALF));
      } else {
        lo = words[w++];
        hi = (meta & HAS_HI) != 0 ? words[w++] : 0;
      }
      int payloadLength = copyPayloads ? (int) (meta >>> HIGH_HALF) : 0;
      FramePipeline.deliver(doors, time, hi, lo, (int) (meta & PORT_MASK), payloads, payloadStart, payloadLength,
          (meta & COMPLETE) != 0);
      payloadStart += payloadLength;
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
    wordCount = 0;
    payloadBytes = 0;
    timeDigits = -1;
    last = false;
    finalTimeDigits = -1;
    failure = null;
    flushAfter = false;
  }
}
