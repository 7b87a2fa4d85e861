package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.udpknock.auth.AuthSettings;
import org.udpknock.capture.PcapCapture;
import org.udpknock.core.KnockSequence;
import org.udpknock.report.EventWriter;

/**
 * A live server on {@code lo}, in this JVM, with a sequence and service port of its own so
 * tests never hear each other, and a clock the test can move forward.
 */
public final class LiveHarness implements AutoCloseable {
  public static final long SECOND = 1_000_000_000L;
  private static final Random RANDOM = new Random();

  final KnockSequence sequence;
  final int servicePort;
  final AtomicLong clockOffsetNanos = new AtomicLong();
  private final StringWriter log = new StringWriter();
  private final KnockServer server;
  private final PcapCapture capture;
  private final Thread thread;
  private volatile Throwable failure;

  private LiveHarness(ServerConfig config, PcapCapture capture, DoorGuards guards) {
    this.sequence = config.firstDoor().rules().sequence();
    this.servicePort = config.firstDoor().port();
    this.capture = capture;
    EventWriter writer = EventWriter.create(false, new PrintWriter(log, true));
    writer.setTimeDigits(9);
    Clock clock = () -> Clock.SYSTEM.nowNanos() + clockOffsetNanos.get();
    this.server = new KnockServer(config, capture, writer, clock, guards);
    this.thread = new Thread(() -> {
      try {
        server.run(capture.linkTypeName());
      } catch (Throwable e) {
        failure = e;
      }
    }, "live-server");
  }

  /** Starts a server on lo with the given service timeout, or skips the test without privileges. */
  static LiveHarness start(long serviceTimeoutNanos) throws IOException {
    return start(serviceTimeoutNanos, null);
  }

  /** As {@link #start(long)}, in authenticated mode when {@code auth} is not null. */
  static LiveHarness start(long serviceTimeoutNanos, AuthSettings auth) throws IOException {
    return start(serviceTimeoutNanos, auth, 1000);
  }

  /**
   * As {@link #start(long, AuthSettings)}, tracking at most {@code maxSources} sources. In
   * authenticated mode with a max-ahead under a second, returns once it has passed since the
   * server's start (a bounded poll): knocks are then no longer refused as before-start. A longer
   * one is a test of that refusal.
   */
  static LiveHarness start(long serviceTimeoutNanos, AuthSettings auth, int maxSources) throws IOException {
    int base = 20000 + RANDOM.nextInt(9000) * 3;
    KnockSequence sequence = KnockSequence.of(base, base + 2, base + 1);
    ServerConfig config = ServerConfig.singleDoor("lo", sequence, 5 * SECOND, maxSources, freePort(),
        serviceTimeoutNanos, null, ServerConfig.DEFAULT_GREETING, false).withAuth(auth);
    LiveHarness harness = new LiveHarness(config, openOrSkip(config), DoorGuards.NONE);
    harness.thread.start();
    if (auth != null && auth.maxAheadNanos() < SECOND) {
      long firstStamp = auth.firstStampAfter(Clock.SYSTEM.nowNanos()); // The start was before now.
      await(() -> Clock.SYSTEM.nowNanos() > firstStamp, "the wall clock past the start + max-ahead");
    }
    return harness;
  }

  /** Starts a server running {@code config} (its doors on lo), or skips the test without privileges. */
  static LiveHarness start(ServerConfig config) {
    return start(config, DoorGuards.NONE);
  }

  /** As {@link #start(ServerConfig)}, with the kernel's guards of the doors. */
  static LiveHarness start(ServerConfig config, DoorGuards guards) {
    LiveHarness harness = new LiveHarness(config, openOrSkip(config), guards);
    harness.thread.start();
    return harness;
  }

  /** A sequence of three ports of its own (20000-47000), so that tests never hear each other. */
  static KnockSequence randomSequence() {
    int base = 20000 + RANDOM.nextInt(9000) * 3;
    return KnockSequence.of(base, base + 2, base + 1);
  }

  /**
   * Starts a server on lo with the default sequence and scan guard and the given sequence
   * timeout, for tests that must knock where real tools aim (e.g. a port sweep).
   */
  static LiveHarness startOnDefaultSequence(long sequenceTimeoutNanos) throws IOException {
    ServerConfig config = ServerConfig.singleDoor("lo", KnockSequence.DEFAULT, sequenceTimeoutNanos, 1000,
        freePort(), 30 * SECOND, null, ServerConfig.DEFAULT_GREETING, false);
    LiveHarness harness = new LiveHarness(config, openOrSkip(config), DoorGuards.NONE);
    harness.thread.start();
    return harness;
  }

  /**
   * Opens lo, or skips when capture privileges are missing and CI is unset. In CI (root) a
   * missing privilege is a failure: these tests must run there.
   */
  public static PcapCapture openOrSkip(ServerConfig config) {
    try {
      return PcapCapture.open(config.interfaceName(), config.captureFilter());
    } catch (CaptureException e) {
      boolean privilegeMissing = e.kind() == CaptureException.Kind.NO_PRIVILEGE
          || e.kind() == CaptureException.Kind.LIBPCAP_MISSING;
      if (privilegeMissing && System.getenv("CI") == null) {
        System.out.println("SKIPPED live test: " + e.getMessage()
            + " (run as root, or set CI to make this a failure)");
        Assumptions.abort("capture on lo not possible here: " + e.getMessage());
      }
      fail("cannot capture on lo: " + e.getMessage());
      return null;
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  String[] knockArgs(String host) {
    return new String[] {"knock", host, "--sequence", sequence.toString(), "--service-port",
        String.valueOf(servicePort), "--connect-timeout", "3s"};
  }

  KnockServer server() {
    return server;
  }

  String log() {
    return log.toString();
  }

  /** Waits until the log contains {@code text}, at most 5 s. */
  void awaitLog(String text) {
    await(() -> log().contains(text), () -> "log line containing '" + text + "'\nlog:\n" + log());
  }

  void advanceClock(long nanos) {
    clockOffsetNanos.addAndGet(nanos);
  }

  static void await(BooleanSupplier condition, String what) {
    await(condition, () -> what);
  }

  /** Waits at most 5 s for {@code condition}; {@code what} is read on failure, so it can show the log as it is then. */
  public static void await(BooleanSupplier condition, Supplier<String> what) {
    long deadline = System.nanoTime() + 5 * SECOND;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after 5 s waiting for " + what.get());
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted");
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.stop();
    assertTrue(server.awaitFinished(2, TimeUnit.SECONDS), "server did not stop within 2 s");
    thread.join(1000);
    capture.close();
    if (failure != null) {
      throw new AssertionError("server failed", failure);
    }
  }
}
