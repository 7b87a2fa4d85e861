package org.udpknock.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.udpknock.attack.Namespaces.Server;
import org.udpknock.server.ProcessLines.Result;
import org.udpknock.server.ProcessLines;

/**
 * Issue 9, what held up, live: knocks shaped as an attacker (or an odd network) sends them,
 * made with scapy in the client namespace and sent as Ethernet frames to the server's end.
 * Each case knocks from a source of its own. TTL 1, IP options, datagrams split into a first
 * fragment (with the UDP header) and a later one, and 60 KB datagrams in 41 fragments are
 * granted and greeted; the sequence sent to the subnet broadcast, 255.255.255.255, 224.0.0.1
 * and ff02::1 counts for nothing (the host accepts no knock there).
 */
class OddKnocksIT {
  private final int[] sequence = Namespaces.randomSequence();
  private final int servicePort = Namespaces.randomServicePort();
  private Namespaces ns;
  private Server server;

  @BeforeEach
  void createNamespaces() throws Exception {
    ns = Namespaces.createOrSkip("OddKnocksIT");
    server = ns.startServer("--sequence", Namespaces.portList(sequence), "--service-port",
        String.valueOf(servicePort), "--nftables", "off");
  }

  @AfterEach
  void deleteNamespaces() throws Exception {
    if (ns != null) {
      ns.close();
    }
  }

  @Test
  void ttlOneIpOptionsFirstFragmentsAndFragmented60KbDatagramsAreGranted() throws Exception {
    String ttlOne = ns.addClientAddress();
    String options = ns.addClientAddress();
    String fragmented = ns.addClientAddress();
    String large = ns.addClientAddress();
    StringBuilder script = new StringBuilder();
    script.append(knocks(ns.serverMac(), "IP(src='" + ttlOne + "', dst='" + ns.serverV4 + "', ttl=1)", 5, 0));
    script.append(knocks(ns.serverMac(), "IP(src='" + options + "', dst='" + ns.serverV4
        + "', options=[IPOption_NOP(), IPOption_RR(routers=['0.0.0.0', '0.0.0.0'])])", 5, 0));
    // 40 bytes of data in 32-byte fragments: the first holds the UDP header and 24 bytes.
    script.append(knocks(ns.serverMac(), "IP(src='" + fragmented + "', dst='" + ns.serverV4 + "')", 40, 32));
    script.append(knocks(ns.serverMac(), "IP(src='" + large + "', dst='" + ns.serverV4 + "')", 60_000, 1480));
    script.append("print(len(frames))\nsendp(frames, iface='" + ns.clientEnd + "', verbose=False)\n");
    Result sent = scapy(script.toString());
    assertEquals(String.valueOf(3 * (1 + 1 + 2 + 41)), lastLine(sent.output()), "frames built: " + sent.output());
    for (String source : List.of(ttlOne, options, fragmented, large)) {
      server.awaitLog("granted default " + source + "\n");
      assertEquals(Namespaces.GREETING, greeting(source), source + "\n" + server.log());
    }
    assertFalse(server.log().contains(" reset "), "no attempt was reset:\n" + server.log());
  }

  @Test
  void broadcastAndMulticastKnocksCountForNothing() throws Exception {
    String subnet = ns.addClientAddress();
    String limited = ns.addClientAddress();
    String multicast = ns.addClientAddress();
    String multicast6 = ns.net6 + "7";
    StringBuilder script = new StringBuilder();
    script.append(knocks("ff:ff:ff:ff:ff:ff", "IP(src='" + subnet + "', dst='" + ns.net + "255')", 5, 0));
    script.append(knocks("ff:ff:ff:ff:ff:ff", "IP(src='" + limited + "', dst='255.255.255.255')", 5, 0));
    script.append(knocks("01:00:5e:00:00:01", "IP(src='" + multicast + "', dst='224.0.0.1')", 5, 0));
    script.append(knocks("33:33:00:00:00:01", "IPv6(src='" + multicast6 + "', dst='ff02::1')", 5, 0));
    // The marker: a plain knock after the others. Frames are handled in capture order, so once
    // it is granted every frame before it was seen.
    script.append(knocks(ns.serverMac(), "IP(src='" + ns.clientV4 + "', dst='" + ns.serverV4 + "')", 5, 0));
    script.append("sendp(frames, iface='" + ns.clientEnd + "', verbose=False)\n");
    scapy(script.toString());
    server.awaitLog("granted default " + ns.clientV4 + "\n");
    for (String source : List.of(subnet, limited, multicast, multicast6)) {
      assertFalse(server.log().contains(" " + source + " "), source + " counted:\n" + server.log());
      assertFalse(server.log().contains("granted default " + source + "\n"), source + " granted:\n" + server.log());
    }
    assertEquals("", greeting(subnet), "no greeting for a broadcast knocker\n" + server.log());
  }

  /**
   * Scapy lines adding the sequence to {@code frames}: one datagram of {@code size} bytes per
   * port under {@code ip}, split into fragments of {@code fragment} bytes unless 0.
   */
  private String knocks(String mac, String ip, int size, int fragment) {
    StringBuilder lines = new StringBuilder();
    for (int port : sequence) {
      String datagram = ip + "/UDP(sport=40000, dport=" + port + ")/(b'k' * " + size + ")";
      String split = fragment == 0 ? "[" + datagram + "]" : "fragment(" + datagram + ", fragsize=" + fragment + ")";
      lines.append("frames += [Ether(dst='").append(mac).append("')/f for f in ").append(split).append("]\n");
    }
    return lines.toString();
  }

  private Result scapy(String body) throws Exception {
    Result result = ns.inClient(Namespaces.PYTHON, "-c", "from scapy.all import *\nframes = []\n" + body);
    assertEquals(0, result.code(), "scapy (python3-scapy): " + result.output());
    return result;
  }

  /** What the service port says to {@code source} (empty when refused or closed at once). */
  private String greeting(String source) throws Exception {
    List<String> command = new ArrayList<>(List.of("timeout", "5", "nc", "-d", "-w", "2", "-s", source,
        ns.serverV4, String.valueOf(servicePort)));
    return ns.inClient(command.toArray(String[]::new)).output().strip();
  }

  private static String lastLine(String output) {
    List<String> lines = output.strip().lines().toList(); // scapy may warn first
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }
}
