package org.udpknock.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.udpknock.attack.Namespaces.Server;
import org.udpknock.server.ProcessLines.Result;
import org.udpknock.server.ProcessLines;

/**
 * Issue 9, what held up: to {@code nmap -sU} and {@code nmap -sS} from another host, the knock
 * ports and the guard ports look like any closed port (ICMP port unreachable for UDP, a reset
 * for TCP), exactly as an unused port far away does, while the server sniffs the very probes.
 * With and without nftables (which only covers the TCP service port). A server that bound a
 * knock port, or answered a probe, would show {@code open} or {@code open|filtered} there.
 */
class ScannerSeesClosedIT {
  /** Far from every sequence and guard port; nothing listens there. */
  private static final int FAR_PORT = 61999;
  private static final Pattern PORT_LINE = Pattern.compile("(?m)^(\\d+)/(udp|tcp)\\s+(\\S+)\\s+\\S+\\s+(\\S+)");
  private final int[] sequence = Namespaces.randomSequence();
  private final int servicePort = Namespaces.randomServicePort();
  private Namespaces ns;

  @BeforeEach
  void createNamespaces() throws Exception {
    ns = Namespaces.createOrSkip("ScannerSeesClosedIT");
    // The kernel rate-limits ICMP errors per destination (a burst of 6): nmap would then slow
    // down and retry, for every closed port alike. Off in the server's namespace only.
    ProcessLines.ok("ip", "netns", "exec", ns.serverNs, "sysctl", "-q", "-w", "net.ipv4.icmp_ratelimit=0",
        "net.ipv6.icmp.ratelimit=0");
  }

  @AfterEach
  void deleteNamespaces() throws Exception {
    if (ns != null) {
      ns.close();
    }
  }

  @ParameterizedTest(name = "--nftables {0}")
  @ValueSource(strings = {"off", "require"})
  void knockAndGuardPortsLookLikeAClosedPortFarAway(String nftables) throws Exception {
    Server server = ns.startServer("--sequence", Namespaces.portList(sequence),
        "--service-port", String.valueOf(servicePort), "--nftables", nftables);
    List<Integer> udp = scannedPorts();
    List<Integer> tcp = new ArrayList<>(udp);
    tcp.add(0, servicePort);
    for (String target : List.of(ns.serverV4, ns.serverV6)) {
      Map<String, String> seen = scan(target, udp, tcp);
      String udpFar = seen.get(FAR_PORT + "/udp");
      String tcpFar = seen.get(FAR_PORT + "/tcp");
      assertEquals("closed port-unreach", udpFar, "the far UDP port: " + seen);
      assertEquals("closed reset", tcpFar, "the far TCP port: " + seen);
      for (int port : udp) {
        assertEquals(udpFar, seen.get(port + "/udp"), port + "/udp to " + target + ": " + seen);
      }
      for (int port : tcp) {
        assertEquals(tcpFar, seen.get(port + "/tcp"), port + "/tcp to " + target + ": " + seen);
      }
    }
    // The server did sniff the probes (each scan's datagram to the first port starts an attempt).
    server.awaitLog("knock default " + ns.clientV4 + " port " + sequence[0] + " stage 1/3");
    server.awaitLog("knock default " + ns.clientV6 + " port " + sequence[0] + " stage 1/3");
    assertFalse(server.log().contains("granted"), server.log());
    assertTrue(server.stop().contains("0 granted"), server.log());
  }

  /** The knock ports, guard ports at both edges of both ends of the range, and the far port. */
  private List<Integer> scannedPorts() {
    int low = Math.min(sequence[0], Math.min(sequence[1], sequence[2]));
    int high = Math.max(sequence[0], Math.max(sequence[1], sequence[2]));
    return List.of(sequence[0], sequence[1], sequence[2], low - 100, low - 1, low + 1, high - 1, high + 1,
        high + 100, FAR_PORT);
  }

  /** One nmap run, UDP and SYN scans together; "PORT/PROTO" to "STATE REASON". */
  private Map<String, String> scan(String target, List<Integer> udp, List<Integer> tcp) throws Exception {
    // -r: ports in ascending order. In nmap's default random order the three knock ports come in
    // the sequence's order about one scan in six, and knocking is what they are for.
    List<String> command = new ArrayList<>(List.of("nmap", "-n", "-Pn", "-r", "-sS", "-sU", "--reason",
        "--max-retries", "1", "-T4", "--host-timeout", "20s", "-p",
        "U:" + join(udp) + ",T:" + join(tcp)));
    if (target.contains(":")) {
      command.add("-6");
    }
    command.add(target);
    Result result = ns.inClient(command.toArray(String[]::new));
    assertEquals(0, result.code(), "nmap (apt-get install nmap; scripts/test does it): " + result.output());
    Map<String, String> seen = new LinkedHashMap<>();
    Matcher line = PORT_LINE.matcher(result.output());
    while (line.find()) {
      seen.put(line.group(1) + "/" + line.group(2), line.group(3) + " " + line.group(4));
    }
    assertEquals(udp.size() + tcp.size(), seen.size(), "every port listed: " + result.output());
    return seen;
  }

  private static String join(List<Integer> ports) {
    return Namespaces.portList(ports.stream().mapToInt(Integer::intValue).toArray());
  }
}
