package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.udpknock.core.KnockSequence;
import org.udpknock.fixtures.Packets;
import org.udpknock.report.EventOutput;
import org.udpknock.report.EventWriter;
import org.udpknock.report.Totals;

/**
 * The server's log on a failing output (a full disk, a reader gone: the JVM sees EPIPE), in
 * process: access does not depend on the log, so the server grants; the loss is said once on
 * stderr and counted, and a line says how many were lost when the output works again.
 */
class LogWatchTest {
  private static final long T0 = 1_795_000_000_000_000_000L;

  private final FailingStream stdout = new FailingStream();
  private final EventOutput output = EventOutput.over(stdout, 1 << 16);
  private final StringWriter stderr = new StringWriter();
  private final EventWriter writer = EventWriter.create(false, output);
  private final LogWatch watch = new LogWatch(output, new PrintWriter(stderr), new ServerEvents(writer, () -> T0));

  @Test
  void aLossIsSaidOnceCountedAndReportedWhenTheOutputWorksAgain() {
    stdout.failing = true;
    writer.forDoor("default", 3).granted(T0, 0, 1);
    writer.forDoor("default", 3).granted(T0, 0, 2);
    flush();
    writer.forDoor("default", 3).granted(T0, 0, 3);
    flush();
    flush();
    assertEquals(List.of("udpknock server: the log cannot be written to standard output (No space left on"
        + " device); knocks are still granted, and the lines lost are counted in the summary."),
        stderr.toString().lines().toList());
    assertEquals(3, output.lostLines());
    assertEquals("", stdout.written());

    stdout.failing = false;
    writer.forDoor("default", 3).granted(T0, 0, 4);
    flush();
    assertEquals(List.of("2026-11-18T11:06:40.000000Z granted default ::4",
        "2026-11-18T11:06:40.000000Z log-resumed lost-lines 3 total-lost 3"), stdout.written().lines().toList());
    assertEquals(1, stderr.toString().lines().count(), "nothing more on stderr: " + stderr);

    stdout.failing = true; // A second loss is a second episode: said again, counted on.
    writer.forDoor("default", 3).granted(T0, 0, 5);
    flush();
    assertEquals(2, stderr.toString().lines().count(), stderr.toString());
    assertEquals(4, output.lostLines());
    watch.atExit();
    assertTrue(stderr.toString().endsWith("udpknock server: 4 log lines were lost, the summary among them"
        + " (No space left on device).\n"), stderr.toString());
  }

  /** Regression: with its stdout failing, the server granted with no word, and counted nothing. */
  @Test
  void theServerGrantsWhileItsLogFailsAndCountsTheLinesLost() throws Exception {
    stdout.failing = true;
    KnockSequence sequence = KnockSequence.of(23071, 23077, 23073);
    ServerConfig config = ServerConfig.singleDoor("fake0", sequence, 5 * LiveHarness.SECOND, 10, 0,
        LiveHarness.SECOND, InetAddress.getLoopbackAddress(), ServerConfig.DEFAULT_GREETING, true);
    KnockServer server = new KnockServer(config, new KnockingSource(config.captureFilter(), sequence), writer,
        Clock.SYSTEM);
    server.watchLog(output, new PrintWriter(stderr));
    server.run("EN10MB");
    Totals totals = server.totals();
    assertEquals(1, totals.grants);
    assertEquals(0, totals.packetErrors);
    // listening, 3 knocks, granted, service-open (service-closed may come too, in time).
    assertTrue(totals.logLinesLost >= 6, "lost " + totals.logLinesLost);
    assertEquals(1, stderr.toString().lines().count(), stderr.toString());
    writer.summary(totals, true, T0);
    stdout.failing = false;
    writer.flush();
    assertTrue(stdout.written().matches("summary default: 3 knocks, 1 granted, .*, 0 grants evicted\n"
        + "summary: 3 packets, 3 knocks, 1 granted, .*, 0 kernel drops,"
        + " 0 packet errors, " + totals.logLinesLost + " log lines lost\n"), stdout.written());
  }

  private void flush() {
    writer.flush();
    watch.afterFlush();
  }

  /** Standard output on /dev/full, or on a pipe whose reader went away, while {@code failing}. */
  private static final class FailingStream extends OutputStream {
    volatile boolean failing;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] data, int offset, int length) throws IOException {
      if (failing) {
        throw new IOException("No space left on device");
      }
      bytes.write(data, offset, length);
    }

    synchronized String written() {
      return bytes.toString(StandardCharsets.UTF_8);
    }
  }

  /** A capture that delivers one knock sequence, then ends. */
  private record KnockingSource(String filter, KnockSequence sequence) implements PacketSource {
    @Override
    public String interfaceName() {
      return "fake0";
    }

    @Override
    public int linkType() {
      return 1;
    }

    @Override
    public void run(FrameSink sink) {
      long now = Clock.SYSTEM.nowNanos();
      for (int stage = 0; stage < sequence.length(); stage++) {
        byte[] frame = Packets.ethernet(Packets.udpKnock("10.0.0.1", "10.0.0.2", 40000, sequence.port(stage)));
        sink.onFrame(now + stage, 1, frame, 0, frame.length);
      }
    }

    @Override
    public void stop() {}

    @Override
    public CaptureStats stats() {
      return new CaptureStats(0, 0);
    }

    @Override
    public void close() {}
  }
}
