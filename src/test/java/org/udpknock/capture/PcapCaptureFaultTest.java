package org.udpknock.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.udpknock.server.LiveHarness.SECOND;
import static org.udpknock.server.LiveHarness.await;
import static org.udpknock.server.LiveHarness.freePort;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.udpknock.core.KnockSequence;
import org.udpknock.server.LiveHarness;
import org.udpknock.report.EventWriter;
import org.udpknock.server.Clock;
import org.udpknock.server.KnockServer;
import org.udpknock.server.ServerConfig;

/**
 * One frame that fails inside the capture callback (injected through the adapter's hook, where
 * pcap4j's own per-record exceptions would arise) is counted as a packet-error, and the capture
 * goes on: the knocks after it are granted. Live on lo: needs capture privileges (skipped, and
 * said so, without them unless CI is set).
 */
class PcapCaptureFaultTest {
  @Test
  void aFrameThatThrowsInTheCallbackIsCountedAndTheKnocksAfterItAreGranted() throws Exception {
    int base = 30000 + new java.util.Random().nextInt(3000) * 3;
    KnockSequence sequence = KnockSequence.of(base, base + 2, base + 1);
    ServerConfig config = ServerConfig.singleDoor("lo", sequence, 5 * SECOND, 1000, freePort(), 30 * SECOND,
        null, ServerConfig.DEFAULT_GREETING, false);
    PcapCapture capture = LiveHarness.openOrSkip(config);
    AtomicBoolean failedOnce = new AtomicBoolean();
    capture.setFrameHook(frame -> {
      if (failedOnce.compareAndSet(false, true)) {
        throw new IllegalArgumentException("arr is empty."); // What pcap4j throws for a caplen-0 record.
      }
    });
    StringWriter log = new StringWriter();
    EventWriter writer = EventWriter.create(false, new PrintWriter(log, true));
    KnockServer server = new KnockServer(config, capture, writer, Clock.SYSTEM);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread = new Thread(() -> {
      try {
        server.run(capture.linkTypeName());
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "fault-server");
    thread.start();
    try {
      await(() -> log.toString().contains("listening"), () -> "the server to start\nlog:\n" + log);
      InetAddress loopback = InetAddress.getByName("127.0.0.1");
      send(loopback, sequence.firstPort()); // This frame fails in the callback.
      await(() -> server.packetErrors() == 1, () -> "the failing frame to be counted\nlog:\n" + log);
      send(loopback, sequence.ports());
      await(() -> log.toString().contains("granted default 127.0.0.1"), () -> "the grant after the failure\nlog:\n" + log);
      assertEquals(1, server.packetErrors(), log.toString());
      assertTrue(log.toString().contains("packet-error error java.lang.IllegalArgumentException: arr is empty."),
          log.toString());
      assertTrue(thread.isAlive(), "the capture is still running");
    } finally {
      server.stop();
      assertTrue(server.awaitFinished(2, TimeUnit.SECONDS), "server did not stop within 2 s");
      thread.join(1000);
      capture.close();
    }
    assertNull(failure.get());
  }

  private static void send(InetAddress host, int... ports) throws Exception {
    try (DatagramSocket socket = new DatagramSocket()) {
      for (int port : ports) {
        byte[] payload = "knock\n".getBytes(StandardCharsets.US_ASCII);
        socket.send(new DatagramPacket(payload, payload.length, host, port));
      }
    }
  }
}
