package org.udpknock.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.udpknock.core.KnockSequence;
import org.udpknock.decode.LinkType;
import org.udpknock.fixtures.Packets;

/**
 * A capture for in-process server tests: delivers its raw IP frames at their times, then ends
 * ({@link #ending}) or waits until stopped ({@link #holding}, 30 s at most), so that what the
 * server does after the frames (its timer, its store) can be watched while it runs.
 */
final class ScriptedSource implements PacketSource {
  /** One frame and its capture time. */
  record Frame(long timeNanos, byte[] bytes) {}

  private final String filter;
  private final List<Frame> frames;
  private final boolean hold;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private ScriptedSource(String filter, List<Frame> frames, boolean hold) {
    this.filter = filter;
    this.frames = List.copyOf(frames);
    this.hold = hold;
  }

  static ScriptedSource ending(String filter, List<Frame> frames) {
    return new ScriptedSource(filter, frames, false);
  }

  static ScriptedSource holding(String filter, List<Frame> frames) {
    return new ScriptedSource(filter, frames, true);
  }

  /** Each source's whole {@code sequence} to 10.9.9.9, the i-th source's at {@code timeNanos + i}. */
  static List<Frame> sequences(KnockSequence sequence, long timeNanos, String... sources) {
    List<Frame> frames = new ArrayList<>();
    for (int i = 0; i < sources.length; i++) {
      for (int port : sequence.ports()) {
        frames.add(new Frame(timeNanos + i, Packets.udpKnock(sources[i], "10.9.9.9", 40000, port)));
      }
    }
    return frames;
  }

  @Override
  public void run(FrameSink sink) {
    for (Frame frame : frames) {
      sink.onFrame(frame.timeNanos(), LinkType.RAW, frame.bytes(), 0, frame.bytes().length);
    }
    try {
      if (hold) {
        stopped.await(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String filter() {
    return filter;
  }

  @Override
  public String interfaceName() {
    return "fake0";
  }

  @Override
  public int linkType() {
    return LinkType.RAW;
  }

  @Override
  public void stop() {
    stopped.countDown();
  }

  @Override
  public CaptureStats stats() {
    return CaptureStats.NONE;
  }

  @Override
  public void close() {}
}
