package org.udpknock.replay;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.udpknock.decode.Datagram;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.report.EventWriter;

/**
 * A replay on two threads: a reading thread reads and decodes frames, and hands the accepted
 * datagrams over in {@link DatagramBatch}es through a bounded queue; the calling thread delivers
 * each batch to the doors, in order, and writes every event. Batches go back to the reader once
 * delivered, so at most {@link #BATCHES} exist. The reader's counts (frames, skips) are read once
 * the last batch has come, which the queue orders after all its writes.
 */
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
  private DatagramBatch filling = new DatagramBatch();
  private int lastTimeDigits = -1;

  BatchedReplay(FramePipeline pipeline, EventWriter events, Runnable flush) {
    this.pipeline = pipeline;
    this.events = events;
    this.flush = flush;
    for (int i = 1; i < BATCHES; i++) {
      free.add(new DatagramBatch());
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
    }
  }

  /** Reading thread: a frame of a capture with {@code digits} fraction digits was read. */
  void frameRead(int digits) {
    lastTimeDigits = digits;
  }

  /** Reading thread: one accepted datagram. */
  void add(long timeNanos, int digits, long keyedSourceHi, Datagram datagram, byte[] data) {
    if (!filling.fits(datagram.payloadLength)) {
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
      filling = free.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Stopped();
    }
  }

  private void deliverAll() throws IOException {
    while (true) {
      DatagramBatch batch = take();
      batch.deliverTo(pipeline, events);
      if (batch.flushAfter) {
        flush.run();
      }
      if (batch.last) {
        finish(batch);
        return;
      }
      batch.clear();
      free.add(batch); // never full: there are only BATCHES batches
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
