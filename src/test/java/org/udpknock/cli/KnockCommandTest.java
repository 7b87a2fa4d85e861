package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The client against plain sockets: no server, no privileges. */
class KnockCommandTest {
  @Test
  void sendsOneDatagramPerPortInOrderFromOneSocket() throws Exception {
    // Three listening UDP sockets stand in for the sniffer: they see what a sniffer would.
    List<DatagramSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setSoTimeout(2000);
        sockets.add(socket);
      }
      String sequence = sockets.get(2).getLocalPort() + "," + sockets.get(0).getLocalPort() + ","
          + sockets.get(1).getLocalPort();
      CliRun run = CliRun.of("knock", "127.0.0.1", "--sequence", sequence, "--no-connect", "--source", "127.0.0.3");
      assertEquals(0, run.code, run.err);
      int sourcePort = -1;
      for (int index : new int[] {2, 0, 1}) {
        DatagramPacket packet = new DatagramPacket(new byte[100], 100);
        sockets.get(index).receive(packet);
        assertEquals(InetAddress.getByName("127.0.0.3"), packet.getAddress(), "--source is honoured");
        if (sourcePort >= 0) {
          assertEquals(sourcePort, packet.getPort(), "all knocks leave from one socket");
        }
        sourcePort = packet.getPort();
      }
    } finally {
      sockets.forEach(DatagramSocket::close);
    }
  }

  @Test
  void aClosedServicePortIsOneSentenceAndExitCode1() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    CliRun run = CliRun.of("knock", "127.0.0.1", "--sequence", "9", "--service-port", String.valueOf(port),
        "--connect-timeout", "200ms");
    assertEquals(1, run.code);
    assertTrue(run.oneLineError().contains("no greeting from 127.0.0.1 port " + port), run.err);
  }

  @Test
  void aListenerThatSendsNothingIsNotAGreeting() throws Exception {
    try (ServerSocket silent = new ServerSocket(0)) {
      Thread closer = new Thread(() -> {
        try {
          while (true) {
            silent.accept().close();
          }
        } catch (Exception e) {
          // closed at the end of the test
        }
      });
      closer.setDaemon(true);
      closer.start();
      CliRun run = CliRun.of("knock", "127.0.0.1", "--sequence", "9", "--service-port",
          String.valueOf(silent.getLocalPort()), "--connect-timeout", "300ms");
      assertEquals(1, run.code, run.out);
    }
  }

  /** Regression: knock "" knocked loopback (InetAddress.getByName("") is loopback). */
  @Test
  void anEmptyHostIsAUsageError() {
    CliRun run = CliRun.of("knock", "", "--no-connect", "--sequence", "23081,23087,23083");
    assertEquals(2, run.code, run.err);
    assertEquals("udpknock knock: the host is empty; give a name that resolves or an IPv4/IPv6 address.",
        run.oneLineError());
  }

  @Test
  void anUnknownHostIsAUsageError() {
    CliRun run = CliRun.of("knock", "no.such.host.invalid", "--no-connect");
    assertEquals(2, run.code);
    assertTrue(run.oneLineError().contains("no.such.host.invalid"), run.err);
  }

  /** The timed rounds of the benchmarks live in the bench CLI (src/bench), not in the product. */
  @Test
  void theProductKnockHasNoLatencyOptions() {
    CliRun help = CliRun.of("knock", "--help");
    assertEquals(0, help.code);
    for (String option : List.of("--rounds", "--warmup-rounds", "--latency-report", "--max-pause", "--witness-file")) {
      assertFalse(help.out.contains(option), help.out);
      CliRun run = CliRun.of("knock", "127.0.0.1", "--sequence", "9", "--no-connect", option, "1");
      assertEquals(2, run.code, option + ": " + run.err);
      assertTrue(run.oneLineError().contains("Unknown option"), run.err);
    }
    CliRun flood = CliRun.of("generate-flood", "/nonexistent/flood.pcap");
    assertEquals(2, flood.code, "generate-flood is the bench CLI's: " + flood.out);
  }

  /** --pipe takes the port to relay to after HOST; the combinations that make no sense are usage errors. */
  @Test
  void pipeUsageErrorsAreOneSentenceAndExitCode2() {
    String[][] cases = {
        {"--pipe needs the PORT", "knock", "--pipe", "127.0.0.1"},
        {"PORT (22) is for --pipe only", "knock", "127.0.0.1", "22"},
        {"PORT must be 1-65535, not 0", "knock", "--pipe", "127.0.0.1", "0"},
        {"drop --no-connect", "knock", "--pipe", "--no-connect", "127.0.0.1", "22"},
        {"drop --service-port", "knock", "--pipe", "--service-port", "2223", "127.0.0.1", "22"},
    };
    for (String[] item : cases) {
      CliRun run = CliRun.of(java.util.Arrays.copyOfRange(item, 1, item.length));
      assertEquals(2, run.code, item[0] + ": " + run.err);
      assertTrue(run.oneLineError().contains(item[0]), run.err);
    }
  }

  /** Nothing reaches stdout, which is ssh's data stream: the failure is one sentence on stderr, exit 1. */
  @Test
  void aPipeToAClosedPortSaysSoOnStderrOnly() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    CliRun run = CliRun.of("knock", "--pipe", "--sequence", "9", "--connect-timeout", "200ms",
        "127.0.0.1", String.valueOf(port));
    assertEquals(1, run.code, run.err);
    assertEquals("", run.out);
    assertTrue(run.oneLineError().contains("could not connect to 127.0.0.1 port " + port + " within 200 ms"),
        run.err);
  }
}
