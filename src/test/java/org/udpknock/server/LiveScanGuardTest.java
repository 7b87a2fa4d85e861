package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.udpknock.server.LiveHarness.SECOND;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scan guard on loopback, against the tool that opens knockd: an ascending hping3 UDP sweep
 * of 11000-13000 walks through 12001, 12002, 12003 and must not open the service port. Needs
 * capture privileges and hping3 (scripts/test installs it); run under the live lock.
 */
class LiveScanGuardTest {
  private static final long MS = 1_000_000L;
  private static final long SEQUENCE_TIMEOUT = 300 * MS;
  private LiveHarness live;

  @AfterEach
  void stop() throws InterruptedException {
    if (live != null) {
      live.close();
    }
  }

  @Test
  void anHping3SweepLeavesThePortClosedAndAKnockAfterTheWindowIsGranted() throws Exception {
    live = LiveHarness.startOnDefaultSequence(SEQUENCE_TIMEOUT);
    live.awaitLog("listening");
    // The capture is live once a first knock is seen: the sweep must not start before that.
    send("127.0.0.3", 12001);
    live.awaitLog("knock default 127.0.0.3 port 12001 stage 1/3");
    sweep("hping3", "-n", "-I", "lo", "--udp", "-p", "++11000", "-c", "2001", "-i", "u200", "127.0.0.1");
    // Frames are handled in capture order: once this marker's knock is logged, so is the sweep.
    send("127.0.0.2", 12001);
    live.awaitLog("knock default 127.0.0.2 port 12001 stage 1/3");
    assertTrue(live.log().contains("guard default 127.0.0.1 port 11901"), live.log());
    assertEquals(1, live.log().split(" guard default 127\\.0\\.0\\.1 ", -1).length - 1,
        "one guard default event per sweep, not one per hit:\n" + live.log());
    assertTrue(!live.log().contains("granted"), live.log());
    assertThrows(ConnectException.class, () -> connect(), "the service port must stay closed");

    Thread.sleep(SEQUENCE_TIMEOUT / MS + 200); // the guard window passes, in packet time too
    for (int port : new int[] {12001, 12002, 12003}) {
      send("127.0.0.1", port);
    }
    live.awaitLog("granted default 127.0.0.1");
    live.awaitLog("service-open");
    try (Socket socket = connect(); InputStream in = socket.getInputStream()) {
      socket.setSoTimeout(2000);
      assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).startsWith("Bonjour"));
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress("127.0.0.1", live.servicePort), 2000);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** Runs the sweep, bounded in time; fails (never skips) when hping3 is missing or fails. */
  private static void sweep(String... command) throws Exception {
    Path output = Files.createTempFile("hping3", ".out");
    try {
      Process process;
      try {
        process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(output.toFile()).start();
      } catch (IOException e) {
        fail("hping3 is needed for this test: apt-get install hping3 (scripts/test does it): " + e.getMessage());
        return;
      }
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("hping3 did not finish its 2001 packets within 20 s");
      }
      String said = Files.readString(output);
      assertEquals(0, process.exitValue(), "hping3 failed:\n" + said);
      assertTrue(said.contains("2001 packets transmitted"), "hping3 did not send the sweep:\n" + said);
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static void send(String source, int port) throws IOException {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0))) {
      byte[] payload = "knock\n".getBytes(StandardCharsets.US_ASCII);
      socket.send(new DatagramPacket(payload, payload.length, InetAddress.getByName("127.0.0.1"), port));
    }
  }
}
