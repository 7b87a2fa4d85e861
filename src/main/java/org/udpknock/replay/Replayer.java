package org.udpknock.replay;

import java.io.IOException;
import java.util.List;
import org.udpknock.decode.LinkKind;
import org.udpknock.pcapfile.CaptureFileReader;
import org.udpknock.pcapfile.Frame;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.pipeline.Ingress;
import org.udpknock.report.EventWriter;

/**
 * Replays captures through the pipeline as one stream, in the order given: the engine keeps its
 * state from one capture to the next, as if they had been one.
 *
 * <p>On one thread, each frame goes through {@link FramePipeline#onFrame}. On two, a reading
 * thread reads and decodes ({@link FramePipeline#accept}) and hands the accepted datagrams in
 * batches to the calling thread, which delivers them to the doors in the same order
 * ({@link FramePipeline#deliver}): the doors see the same datagrams in the same order, and all
 * events are written by the one thread, so the output is the same. See {@link BatchedReplay}.
 */
public final class Replayer {
  private final FramePipeline pipeline;
  private final EventWriter events;
  private final Runnable flush;
  private final boolean twoThreads;
  private final Frame frame = new Frame();
  private Ingress ingress = Ingress.UNKNOWN;
  private volatile BatchedReplay batched;

  /** On one thread, flushing nothing before reads (tests). */
  public Replayer(FramePipeline pipeline, EventWriter events) {
    this(pipeline, events, () -> {}, false);
  }

  /**
   * @param flush flushes the events written so far; runs, on the calling thread, when the
   *     input is about to be read ({@link #beforeRead}), once the datagrams before are delivered
   * @param twoThreads whether reading and decoding run on a thread of their own
   */
  public Replayer(FramePipeline pipeline, EventWriter events, Runnable flush, boolean twoThreads) {
    this.pipeline = pipeline;
    this.events = events;
    this.flush = flush;
    this.twoThreads = twoThreads;
  }

  /** Replays every capture, opened already; stops at the first that breaks. Closes none. */
  public void replay(List<CaptureFileReader> readers) throws IOException {
    if (!twoThreads) {
      for (CaptureFileReader reader : readers) {
        replay(reader);
      }
      return;
    }
    BatchedReplay replay = new BatchedReplay(pipeline, events, flush);
    batched = replay;
    try {
      replay.run(() -> readAll(readers, replay));
    } finally {
      batched = null;
    }
  }

  /**
   * Called by the input before a read that may wait (a pipe, a FIFO): the events of everything
   * read so far are flushed first, so that {@code tcpdump -U -w - | udpknock replay -} shows
   * each knock as it comes. From the reading thread, it hands over what it holds.
   */
  public void beforeRead() {
    BatchedReplay replay = batched;
    if (replay == null) {
      flush.run();
    } else {
      replay.handOver();
    }
  }

  /**
   * A file names no interface index: link-local addresses are scoped by the pcapng interface id
   * (0 in pcap files), unless a LINUX_SLL2 header gives the index. Whether the interface is
   * loopback, and its VLANs, are unknown: the capture counts as it shows them.
   */
  private Ingress ingressOf(Frame frame) {
    if (ingress.index() != frame.interfaceId) {
      ingress = new Ingress(frame.interfaceId, null, LinkKind.UNKNOWN);
    }
    return ingress;
  }

  private void replay(CaptureFileReader reader) throws IOException {
    while (reader.next(frame)) {
      events.setTimeDigits(frame.timeDigits);
      pipeline.onFrame(frame.timeNanos, frame.linkType, ingressOf(frame), frame.data, frame.offset, frame.capturedLength);
    }
  }

  /** The reading thread's part: every frame decoded, the accepted ones added to batches. */
  private void readAll(List<CaptureFileReader> readers, BatchedReplay replay) throws IOException {
    for (CaptureFileReader reader : readers) {
      while (reader.next(frame)) {
        replay.frameRead(frame.timeDigits);
        if (pipeline.accept(frame.timeNanos, frame.linkType, ingressOf(frame), frame.data, frame.offset, frame.capturedLength)) {
          replay.add(frame.timeNanos, frame.timeDigits, pipeline.sourceHi(), pipeline.datagram(), frame.data);
        }
      }
    }
  }
}
