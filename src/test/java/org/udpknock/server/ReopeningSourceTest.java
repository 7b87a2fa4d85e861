package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.udpknock.decode.LinkType;
import org.udpknock.report.EventWriter;
import org.udpknock.server.CaptureException.Kind;

/** Losing the interface and getting it back, with fake captures: no libpcap, no privilege. */
class ReopeningSourceTest {
  private final StringWriter log = new StringWriter();
  private final ServerEvents events = new ServerEvents(
      EventWriter.create(false, new PrintWriter(log, true)), () -> 0L);
  private final Deque<Object> openResults = new ArrayDeque<>();
  private final AtomicInteger opens = new AtomicInteger();
  private Thread runner;

  @AfterEach
  void noThreadLeftBehind() throws InterruptedException {
    if (runner != null) {
      runner.interrupt();
      runner.join(2000);
      assertFalse(runner.isAlive(), "the capture thread did not end");
    }
  }

  /** Opens what the test queued, in order; a missing interface once the queue is empty. */
  private PacketSource open() throws CaptureException {
    opens.incrementAndGet();
    Object next;
    synchronized (openResults) {
      next = openResults.poll();
    }
    if (next instanceof CaptureException e) {
      throw e;
    }
    if (next == null) {
      throw missing();
    }
    return (PacketSource) next;
  }

  private static CaptureException missing() {
    return new CaptureException(Kind.NO_SUCH_INTERFACE, "there is no capture interface named 'veth9'");
  }

  private ReopeningSource source(Backoff backoff) {
    return new ReopeningSource("veth9", "udp", this::open, events, backoff);
  }

  @Test
  void aVanishedInterfaceIsLoggedReopenedAndFramesGoOnToTheSameSink() throws Exception {
    FakeCapture first = new FakeCapture(1_000);
    FakeCapture second = new FakeCapture(2_000);
    openResults.add(first);
    openResults.add(missing());
    openResults.add(missing());
    openResults.add(second);
    ReopeningSource source = source(new Backoff(1, 4));
    assertTrue(source.openFirst(false));
    List<Long> frames = new CopyOnWriteArrayList<>();
    AtomicReference<Throwable> failure = start(() -> source.run((time, link, data, offset, length) -> frames.add(time)));

    await(first.running);
    first.stats = new CaptureStats(100, 7);
    assertEquals(new CaptureStats(100, 7), source.stats());
    first.lose("the capture on veth9 failed: The interface disappeared");

    await(second.running);
    second.stats = new CaptureStats(5, 1);
    // The closed handle reads as zero now; its last counters are kept and added.
    assertEquals(new CaptureStats(105, 8), source.stats());
    assertTrue(first.closed, "the lost capture is closed");
    assertEquals(List.of(1_000L, 2_000L), frames, "both captures fed the same sink");
    String text = log.toString();
    assertTrue(text.contains("capture-lost interface veth9 error the capture on veth9 failed: The interface disappeared"), text);
    assertEquals(2, text.lines().filter(line -> line.contains("capture-waiting interface veth9 retry-in-ms")
        && line.contains("no such interface")).count(), text);
    assertTrue(text.contains("capture-resumed interface veth9 link-type EN10MB"), text);
    assertEquals(4, opens.get());

    source.stop();
    runner.join(1000);
    assertFalse(runner.isAlive());
    assertNull(failure.get());
  }

  @Test
  void aStopDuringAFiveSecondBackoffEndsTheWaitWithinASecond() throws Exception {
    ReopeningSource source = source(new Backoff(5_000, 5_000));
    AtomicReference<Boolean> opened = new AtomicReference<>();
    start(() -> opened.set(source.openFirst(true)));
    LiveHarness.await(() -> log.toString().contains("capture-waiting"), "a capture-waiting line");
    long stopAsked = System.nanoTime();
    source.stop();
    runner.join(1000);
    long stopMillis = (System.nanoTime() - stopAsked) / 1_000_000;
    assertFalse(runner.isAlive(), "still waiting 1 s after stop");
    assertTrue(stopMillis < 1000, "stopped in " + stopMillis + " ms");
    assertEquals(Boolean.FALSE, opened.get());
    assertEquals(1, opens.get(), "no attempt after the stop");
  }

  @Test
  void waitingRetriesUntilTheInterfaceAppears() throws Exception {
    openResults.add(missing());
    openResults.add(new CaptureException(Kind.INTERFACE_GONE, "the device is not up"));
    FakeCapture capture = new FakeCapture(0);
    openResults.add(capture);
    ReopeningSource source = source(new Backoff(1, 2));
    assertTrue(source.openFirst(true));
    assertEquals(3, opens.get());
    assertEquals(LinkType.ETHERNET, source.linkType());
    assertEquals(2, log.toString().lines().filter(line -> line.contains("capture-waiting")).count(), log.toString());
  }

  @Test
  void withoutWaitingAMissingInterfaceFailsAtOnce() {
    CaptureException e = assertThrows(CaptureException.class, () -> source(new Backoff(1, 2)).openFirst(false));
    assertEquals(Kind.NO_SUCH_INTERFACE, e.kind());
    assertEquals(1, opens.get());
  }

  @Test
  void aMissingPrivilegeIsNotRetriedEvenWhenWaiting() {
    openResults.add(new CaptureException(Kind.NO_PRIVILEGE, "needs CAP_NET_RAW"));
    CaptureException e = assertThrows(CaptureException.class, () -> source(new Backoff(1, 2)).openFirst(true));
    assertEquals(Kind.NO_PRIVILEGE, e.kind());
    assertEquals(1, opens.get());
  }

  @Test
  void aStopWhileCapturingEndsRunWithoutReopening() throws Exception {
    FakeCapture capture = new FakeCapture(0);
    openResults.add(capture);
    ReopeningSource source = source(new Backoff(1, 2));
    assertTrue(source.openFirst(false));
    AtomicReference<Throwable> failure = start(() -> source.run((time, link, data, offset, length) -> { }));
    await(capture.running);
    source.stop();
    runner.join(1000);
    assertFalse(runner.isAlive());
    assertNull(failure.get());
    assertEquals(1, opens.get());
    assertFalse(log.toString().contains("capture-lost"), log.toString());
  }

  private interface Body {
    void run() throws Exception;
  }

  private AtomicReference<Throwable> start(Body body) {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    runner = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "test-capture");
    runner.start();
    return failure;
  }

  private static void await(CountDownLatch latch) throws InterruptedException {
    assertTrue(latch.await(5, TimeUnit.SECONDS), "timed out after 5 s");
  }

  /** Delivers one frame stamped {@code frameTime}, then blocks until lost or stopped. */
  private static final class FakeCapture implements PacketSource {
    final CountDownLatch running = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private final long frameTime;
    private volatile String lostBecause;
    volatile CaptureStats stats = CaptureStats.NONE;
    volatile boolean closed;

    FakeCapture(long frameTime) {
      this.frameTime = frameTime;
    }

    void lose(String why) {
      lostBecause = why;
      stats = CaptureStats.NONE; // What libpcap gives once the handle is gone.
      ended.countDown();
    }

    @Override
    public void run(FrameSink sink) throws CaptureException {
      sink.onFrame(frameTime, LinkType.ETHERNET, new byte[0], 0, 0);
      running.countDown();
      try {
        if (!ended.await(10, TimeUnit.SECONDS)) {
          throw new CaptureException(Kind.OTHER, "the fake capture was never ended");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (lostBecause != null) {
        throw new CaptureException(Kind.INTERFACE_GONE, lostBecause);
      }
    }

    @Override
    public void stop() {
      ended.countDown();
    }

    @Override
    public CaptureStats stats() {
      return stats;
    }

    @Override
    public void close() {
      closed = true;
    }

    @Override
    public String interfaceName() {
      return "veth9";
    }

    @Override
    public int linkType() {
      return LinkType.ETHERNET;
    }

    @Override
    public String filter() {
      return "udp";
    }
  }
}
