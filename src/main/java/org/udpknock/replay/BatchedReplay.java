package org.udpknock.replay;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import jdk.internal.vm.annotation.Contended;
import org.udpknock.decode.Datagram;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.report.EventWriter;

/**
 * A replay on two threads: a reading thread reads and decodes frames, and hands the accepted
 * datagrams over in {@link DatagramBatch}es through a bounded queue; the calling thread delivers
 * each batch to the doors, in order, recording the events into the batch. Batches go back to the
 * reader once delivered, so at most {@link #BATCHES} exist, and the reader writes their events
 * before it fills them again: formatting lines is the costlier half of the work, and the engines'
 * thread is the one that limits the pace. The events are written in delivery order, by one
 * thread at a time (under {@link #writing}): by the reader, or by the delivering thread itself
 * before a flush (the input is about to wait) and at the end, so every event is written before
 * {@link #run} returns. The reader's counts (frames, skips) are read once the last batch has
 * come, which the queue orders after all its writes.
 *
 * <p>Each thread writes a few small objects at every datagram (the reader: the frame, its
 * buffer, the decoded datagram, the counts, the batch it fills; the other: the engines, their
 * tables, the events). Where one of them shared a cache line with an object the other thread
 * reads or writes as often, each write took the line from the other core: a miss per datagram on
 * each side, wherever the allocator or the collector had put the two side by side. Those classes
 * are {@code @Contended}, padded from their neighbours; by hand, 10 M packets, seven alternated
 * runs of one jar with and without the padding: median wall 3.58 against 4.16 s, CPU 5.8 against
 * 7.0 s.
 */
// Padded from its neighbours in memory (false sharing): written at every frame by
// the thread that reads a capture; see BatchedReplay.
@Contended
final class BatchedReplay {
  /** Enough to keep both threads busy: one being filled, one being delivered, two queued. */
  static final int BATCHES = 4;
  private static final long READER_STOP_MILLIS = 5_000;

  /** The reading thread's work; returns normally at the end of the inputs. */
  @FunctionalInterface
  interface Reading {
    void readAll() throws IOException;
  }

  private final FramePipeline pipeline;
  private final EventWriter events;
  private final Runnable flush;
  private final BlockingQueue<DatagramBatch> full = new ArrayBlockingQueue<>(BATCHES);
  private final BlockingQueue<DatagramBatch> free = new ArrayBlockingQueue<>(BATCHES);
  /** The reading thread's: the batch being filled, and the time digits of the last frame read. */
  private DatagramBatch filling;
  private int lastTimeDigits = -1;
  /** Held while events are written: by either thread, one at a time. */
  private final Object writing = new Object();
  /** Batches delivered whose events are not written yet, oldest first; guarded by {@link #writing}. */
  private final ArrayDeque<DatagramBatch> unwritten = new ArrayDeque<>();
  /** The delivering thread's: the batch being delivered, whose events a failure must still write. */
  private DatagramBatch delivering;

  BatchedReplay(FramePipeline pipeline, EventWriter events, Runnable flush) {
    this.pipeline = pipeline;
    this.events = events;
    this.flush = flush;
    // A replay never swaps its doors: whether they read payloads holds for the whole replay.
    boolean copyPayloads = pipeline.doorSet().readsPayloads();
    filling = new DatagramBatch(copyPayloads);
    for (int i = 1; i < BATCHES; i++) {
      free.add(new DatagramBatch(copyPayloads));
    }
  }

  /** Runs {@code reading} on a thread of its own and delivers what it hands over, until its end. */
  void run(Reading reading) throws IOException {
    Thread reader = new Thread(() -> read(reading), "replay-reader");
    reader.setDaemon(true);
    reader.start();
    try {
      deliverAll();
    } finally {
      stop(reader);
      events.deferTo(null);
      writeAfterFailure();
    }
  }

  /** Reading thread: a frame of a capture with {@code digits} fraction digits was read. */
  void frameRead(int digits) {
    lastTimeDigits = digits;
  }

  /** Reading thread: one accepted datagram. */
  void add(long timeNanos, int digits, long keyedSourceHi, Datagram datagram, byte[] data) {
    if (!filling.fits(datagram.payloadLength, digits)) {
      send();
    }
    filling.add(timeNanos, digits, keyedSourceHi, datagram, data);
  }

  /** Reading thread, before a read that may wait: what it holds is delivered, then flushed. */
  void handOver() {
    filling.flushAfter = true;
    send();
  }

  private void read(Reading reading) {
    Throwable failure = null;
    try {
      reading.readAll();
    } catch (Stopped stopped) {
      return; // the delivering thread stopped: nobody takes the rest
    } catch (IOException | RuntimeException | Error e) {
      failure = e;
    }
    filling.end(lastTimeDigits, failure);
    try {
      full.put(filling);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send() {
    try {
      full.put(filling);
      DatagramBatch next = free.take();
      synchronized (writing) {
        writeUnwritten(); // next's events among them
      }
      filling = next;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Stopped();
    }
  }

  private void deliverAll() throws IOException {
    while (true) {
      DatagramBatch batch = take();
      delivering = batch;
      batch.deliverTo(pipeline, events);
      delivering = null;
      writeEventsOf(batch, batch.last || batch.flushAfter && readerMayWait());
      if (batch.last) {
        finish(batch);
        return;
      }
      batch.clear();
      free.add(batch); // never full: there are only BATCHES batches
    }
  }

  /**
   * Whether the reader, which handed over a batch before a read (see {@link #handOver}), may be
   * waiting in that read now: nothing came after the batch. Before every read of a file too, yet
   * that read does not wait, and the reader has queued more by the time the batch is delivered:
   * its events are then written by the reader, as any others. Whenever the reader waits, the
   * last batch it handed over finds nothing after it, and everything is written and flushed.
   */
  private boolean readerMayWait() {
    return full.isEmpty();
  }

  /**
   * Queues a delivered batch's events after those of the batches before it; with {@code now},
   * writes them all here, and flushes them if the input is about to wait.
   */
  private void writeEventsOf(DatagramBatch batch, boolean now) {
    synchronized (writing) {
      unwritten.add(batch);
      if (now) {
        writeUnwritten();
      }
      if (now && batch.flushAfter) {
        flush.run();
      }
    }
  }

  /** After a failure in delivering: the events of what was delivered are still written. */
  private void writeAfterFailure() {
    synchronized (writing) {
      if (delivering != null) {
        unwritten.add(delivering);
      }
      writeUnwritten();
    }
  }

  /** Under {@link #writing}: writes the events of every delivered batch not written yet, in order. */
  private void writeUnwritten() {
    for (DatagramBatch batch = unwritten.poll(); batch != null; batch = unwritten.poll()) {
      batch.events.writeAll();
    }
  }

  private DatagramBatch take() throws InterruptedIOException {
    try {
      return full.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while replaying");
    }
  }

  /** The end of reading, as one thread would have ended: the last frame's time digits, its failure. */
  private void finish(DatagramBatch last) throws IOException {
    if (last.finalTimeDigits >= 0) {
      events.setTimeDigits(last.finalTimeDigits);
    }
    Throwable failure = last.failure;
    if (failure instanceof IOException) {
      throw (IOException) failure;
    }
    if (failure instanceof RuntimeException) {
      throw (RuntimeException) failure;
    }
    if (failure instanceof Error) {
      throw (Error) failure;
    }
  }

  /** After the last batch the reader has ended; after a failure here, it is stopped (it may wait on the queue). */
  private static void stop(Thread reader) {
    reader.interrupt();
    try {
      reader.join(READER_STOP_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Thrown on the reading thread when the delivering thread has stopped taking batches. */
  private static final class Stopped extends RuntimeException {
    Stopped() {
      super(null, null, false, false);
    }
  }
}
