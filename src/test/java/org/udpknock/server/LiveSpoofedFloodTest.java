package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, live on {@code lo}: a victim sent its first two knocks, then a flood of first knocks
 * from other sources (more than --max-sources), then its third, and was not granted: each flood
 * knock had evicted the oldest attempt. Here 150 sources of 127.1.0.0/16 (all of 127/8 is
 * local, so no spoofing tool is needed) against room for 100.
 */
class LiveSpoofedFloodTest {
  private static final int MAX_SOURCES = 100;
  private static final int FLOOD_SOURCES = 150;

  @Test
  void aVictimAtStageTwoIsGrantedAfterMoreFirstKnocksThanThereIsRoom() throws Exception {
    try (LiveHarness live = LiveHarness.start(30 * LiveHarness.SECOND, null, MAX_SOURCES)) {
      send("127.0.0.1", live.sequence.port(0));
      send("127.0.0.1", live.sequence.port(1));
      live.awaitLog("knock default 127.0.0.1 port " + live.sequence.port(1) + " stage 2/3");
      for (int i = 0; i < FLOOD_SOURCES; i++) {
        send("127.1.0." + (i + 1), live.sequence.port(0));
      }
      live.awaitLog("knock default 127.1.0." + FLOOD_SOURCES + " port " + live.sequence.port(0));
      assertTrue(live.log().contains("reset default 127.1.0.1 evicted"), "the flood must overflow the table:\n" + live.log());
      send("127.0.0.1", live.sequence.port(2));
      live.awaitLog("granted default 127.0.0.1");
      live.awaitLog("service-open");
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", live.servicePort), 2000);
        socket.setSoTimeout(2000);
        InputStream in = socket.getInputStream();
        assertTrue(new String(in.readAllBytes(), StandardCharsets.UTF_8).startsWith("Bonjour"));
      }
    }
  }

  private static void send(String source, int port) throws IOException {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0))) {
      byte[] payload = "knock\n".getBytes(StandardCharsets.US_ASCII);
      socket.send(new DatagramPacket(payload, payload.length, InetAddress.getByName("127.0.0.1"), port));
    }
  }
}
