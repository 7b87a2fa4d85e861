package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.udpknock.server.LiveHarness.SECOND;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.udpknock.cli.Main;

/**
 * The server end to end on loopback: real knocks captured by libpcap, a real TCP listener.
 * Needs capture privileges: skipped (and said so) without them unless CI is set; CI runs as root.
 */
class LiveServerTest {
  private static final String GREETING = "Bonjour, vous avez réussi la séquence UDP !";
  private LiveHarness live;

  @AfterEach
  void stop() throws InterruptedException {
    if (live != null) {
      live.close();
    }
  }

  @Test
  void t1_theProjectsClientGetsTheGreeting() throws Exception {
    live = LiveHarness.start(30 * SECOND);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), live.knockArgs("127.0.0.1"));
    assertEquals(0, code, err.toString());
    assertEquals(GREETING, out.toString().strip());
    live.awaitLog("served default 127.0.0.1");
  }

  @Test
  void t2_aPlainDatagramKnockAndAPlainSocketGetTheGreeting() throws Exception {
    live = LiveHarness.start(30 * SECOND);
    knockPlainly(InetAddress.getByName("127.0.0.1"), null, live.sequence.ports());
    live.awaitLog("granted default 127.0.0.1");
    assertEquals(GREETING, readGreeting("127.0.0.1", null));
  }

  @Test
  void t3_aSourceThatDidNotKnockIsResetWithoutAByteWhileTheListenerIsOpen() throws Exception {
    live = LiveHarness.start(30 * SECOND);
    knockPlainly(InetAddress.getByName("127.0.0.1"), null, live.sequence.ports());
    live.awaitLog("service-open");
    Refusals.assertReset("127.0.0.2", "127.0.0.1", live.servicePort, "127.0.0.2 did not knock");
    live.awaitLog("refused default 127.0.0.2");
    assertEquals(GREETING, readGreeting("127.0.0.1", null), "the knocker is still served");
  }

  @Test
  void t4_wrongOrderLeavesThePortClosed() throws Exception {
    live = LiveHarness.start(30 * SECOND);
    int[] ports = live.sequence.ports();
    knockPlainly(InetAddress.getByName("127.0.0.1"), null, ports[0], ports[2], ports[1]);
    live.awaitLog("reset default 127.0.0.1 wrong-port");
    assertRefused("127.0.0.1");
    assertTrue(!live.log().contains("granted"), live.log());
  }

  @Test
  void t5_afterTheServiceTimeoutThePortRefusesAgain() throws Exception {
    live = LiveHarness.start(1 * SECOND);
    knockPlainly(InetAddress.getByName("127.0.0.1"), null, live.sequence.ports());
    live.awaitLog("service-open");
    assertEquals(GREETING, readGreeting("127.0.0.1", null));
    live.advanceClock(1 * SECOND); // the server's clock reaches the end of the grant
    live.awaitLog("grant-expired default 127.0.0.1");
    live.awaitLog("service-closed");
    assertRefused("127.0.0.1");
  }

  @Test
  void t6_noUdpSocketIsBoundOnTheKnockPorts() throws Exception {
    live = LiveHarness.start(30 * SECOND);
    knockPlainly(InetAddress.getByName("127.0.0.1"), null, live.sequence.ports());
    live.awaitLog("granted default 127.0.0.1");
    for (int port : live.sequence.ports()) {
      assertTrue(!boundUdpPorts().contains(port), "a UDP socket is bound on knock port " + port);
      // And the port is free for anyone to take, which it would not be if the server held it.
      try (DatagramSocket probe = new DatagramSocket(port)) {
        assertEquals(port, probe.getLocalPort());
      }
    }
  }

  @Test
  void t9_ipv6KnockToLoopbackIsGrantedAndGreeted() throws Exception {
    live = LiveHarness.start(30 * SECOND);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), live.knockArgs("::1"));
    assertEquals(0, code, err.toString() + "\nlog:\n" + live.log());
    assertEquals(GREETING, out.toString().strip());
    live.awaitLog("granted default ::1");
    live.awaitLog("served default ::1");
  }

  private static void knockPlainly(InetAddress host, InetAddress source, int... ports) throws IOException {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0))) {
      for (int port : ports) {
        byte[] payload = "knock\n".getBytes(StandardCharsets.US_ASCII);
        socket.send(new DatagramPacket(payload, payload.length, host, port));
      }
    }
  }

  /** Connects like any client would, retrying while the listener is still opening. */
  private String readGreeting(String host, String source) throws Exception {
    long deadline = System.nanoTime() + 3 * SECOND;
    while (true) {
      try (Socket socket = new Socket()) {
        if (source != null) {
          socket.bind(new InetSocketAddress(source, 0));
        }
        socket.connect(new InetSocketAddress(host, live.servicePort), 1000);
        socket.setSoTimeout(2000);
        InputStream in = socket.getInputStream();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line = reader.readLine();
        assertEquals(-1, reader.read(), "the server closes after the greeting");
        return line;
      } catch (ConnectException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(2);
      }
    }
  }

  private void assertRefused(String host) {
    assertThrows(ConnectException.class, () -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, live.servicePort), 1000);
      }
    });
  }

  /** Local ports of every UDP socket, from /proc/net/udp and udp6. */
  private static java.util.Set<Integer> boundUdpPorts() throws IOException {
    java.util.Set<Integer> ports = new java.util.HashSet<>();
    for (String table : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
      Path path = Path.of(table);
      if (!Files.exists(path)) {
        continue;
      }
      for (String line : Files.readAllLines(path).subList(1, Files.readAllLines(path).size())) {
        String local = line.trim().split("\\s+")[1];
        ports.add(Integer.parseInt(local.substring(local.indexOf(':') + 1).toUpperCase(Locale.ROOT), 16));
      }
    }
    return ports;
  }
}
