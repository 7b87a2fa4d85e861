package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.udpknock.server.LiveHarness.SECOND;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.udpknock.capture.PcapCapture;
import org.udpknock.core.KnockSequence;
import org.udpknock.report.EventWriter;

/**
 * The host's own acceptance rules, live: veth pairs into network namespaces this test creates,
 * the server capturing in this JVM's namespace, knocks and connections from inside the
 * namespaces (plain sockets, or scapy for what a socket cannot send). Link-local addresses are
 * set by hand (no autoconfiguration, no duplicate detection), the 10.x addresses live on the
 * test's links only. Needs root: skipped, and said so, when not root and CI is unset.
 */
class HostRulesLiveTest {
  private static final Random RANDOM = new Random();
  private static final String PYTHON = "/usr/bin/python3"; // Debian's, which has python3-scapy
  private static final String SERVER_LINK_LOCAL = "fe80::1";
  private static final String PEER_LINK_LOCAL = "fe80::99";

  private final String suffix = Integer.toHexString(0x1000 + RANDOM.nextInt(0xefff));
  private final List<Link> links = new ArrayList<>();
  private final StringWriter log = new StringWriter();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private KnockSequence sequence;
  private int servicePort;
  private KnockServer server;
  private PcapCapture capture;
  private Thread thread;

  /** One veth pair: {@code host} here, {@code peer} in {@code namespace}. */
  private record Link(String namespace, String host, String peer, String hostAddress, String peerAddress) {}

  @BeforeEach
  void needsRoot() throws Exception {
    if (!isRoot() && System.getenv("CI") == null) {
      System.out.println("SKIPPED HostRulesLiveTest: network namespaces and capture need root"
          + " (run as root, or set CI to make this a failure)");
      Assumptions.abort("not root");
    }
    int base = 30000 + RANDOM.nextInt(3000) * 3;
    sequence = KnockSequence.of(base, base + 2, base + 1);
    servicePort = LiveHarness.freePort();
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      if (server != null) {
        server.stop();
        assertTrue(server.awaitFinished(2, TimeUnit.SECONDS), "server did not stop within 2 s");
        thread.join(1000);
        capture.close();
      }
    } finally {
      for (Link link : links) {
        run(List.of("ip", "link", "del", link.host()));
        run(List.of("ip", "netns", "del", link.namespace()));
      }
    }
    assertNull(failure.get(), () -> "server failed: " + failure.get() + "\nlog:\n" + log);
  }

  /**
   * Item 9.2: the victim knocks from fe80::99 on one link; an attacker on another link with the
   * same fe80::99 connects to the server's fe80::1 there. Only the victim is greeted.
   */
  @Test
  void aLinkLocalGrantHoldsOnlyOnTheLinkItWasKnockedFrom() throws Exception {
    Link victim = createLink(0);
    Link attacker = createLink(1);
    startServer("any");
    knockOverSocket(victim, SERVER_LINK_LOCAL);
    awaitLog("granted default " + PEER_LINK_LOCAL);
    assertEquals("", greeting(attacker, SERVER_LINK_LOCAL), "the attacker on the other link\n" + log);
    assertTrue(log.toString().contains("granted default " + PEER_LINK_LOCAL + "%" + victim.host() + "\n"), log.toString());
    assertTrue(log.toString().contains("refused default " + PEER_LINK_LOCAL + "%" + attacker.host()), log.toString());
    assertEquals(ServerConfig.DEFAULT_GREETING, greeting(victim, SERVER_LINK_LOCAL), log.toString());
    assertFalse(log.toString().contains("granted default " + PEER_LINK_LOCAL + "%" + attacker.host()), log.toString());
  }

  /** Item 9.3: an IPv6 knock from ::ffff:PEER (which Linux drops) does not grant PEER over IPv4. */
  @Test
  void anIpv4MappedSourceOverIpv6GrantsNothing() throws Exception {
    Link link = createLink(0);
    startServer(link.host());
    String knocks = scapyKnocks(link, "IPv6(src='::ffff:" + link.peerAddress() + "', dst='" + SERVER_LINK_LOCAL + "')");
    scapy(link, knocks + markerKnocks(link));
    awaitLog("granted default " + PEER_LINK_LOCAL); // the marker: every frame before it was seen
    assertFalse(log.toString().contains("granted default " + link.peerAddress()), log.toString());
    assertEquals("", greeting(link, link.hostAddress()), "IPv4 from the peer\n" + log);
  }

  /** Item 9.3: knocks to 127.0.0.1 that arrive on a veth are martians: no grant. */
  @Test
  void knocksToLoopbackArrivingOnAVethGrantNothing() throws Exception {
    Link link = createLink(0);
    startServer(link.host());
    String knocks = scapyKnocks(link, "IP(src='" + link.peerAddress() + "', dst='127.0.0.1')");
    scapy(link, knocks + markerKnocks(link));
    awaitLog("granted default " + PEER_LINK_LOCAL); // the marker: every frame before it was seen
    assertFalse(log.toString().contains("granted default " + link.peerAddress()), log.toString());
    assertEquals("", greeting(link, link.hostAddress()), "IPv4 from the peer\n" + log);
  }

  /** Item 9.9: a knock behind a hop-by-hop or destination-options header passes the filter, live. */
  @Test
  void ipv6KnocksWithExtensionHeadersAreGrantedLive() throws Exception {
    Link link = createLink(0);
    startServer(link.host());
    String ip = "IPv6(src='" + PEER_LINK_LOCAL + "', dst='" + SERVER_LINK_LOCAL + "')";
    StringBuilder script = new StringBuilder();
    int[] ports = sequence.ports();
    for (int i = 0; i < ports.length; i++) {
      String extension = i % 2 == 0 ? "IPv6ExtHdrHopByHop()" : "IPv6ExtHdrDestOpt()";
      script.append(frame(link, ip + "/" + extension + "/UDP(sport=40000, dport=" + ports[i] + ")/b'knock'"));
    }
    scapy(link, script.toString());
    awaitLog("granted default " + PEER_LINK_LOCAL); // the marker: every frame before it was seen
    assertEquals(ServerConfig.DEFAULT_GREETING, greeting(link, SERVER_LINK_LOCAL), log.toString());
  }

  // ---- Links, server, traffic.

  private Link createLink(int number) throws Exception {
    String third = String.valueOf(RANDOM.nextInt(256));
    int subnet = RANDOM.nextInt(64) * 4;
    Link link = new Link("ukh" + number + suffix, "ukhh" + number + suffix, "ukhp" + number + suffix,
        "10.232." + third + "." + (subnet + 1), "10.232." + third + "." + (subnet + 2));
    ip("netns", "add", link.namespace());
    links.add(link);
    ip("link", "add", link.host(), "type", "veth", "peer", "name", link.peer(), "netns", link.namespace());
    configure(List.of(), link.host(), link.hostAddress(), SERVER_LINK_LOCAL);
    configure(List.of("netns", "exec", link.namespace(), "ip"), link.peer(), link.peerAddress(), PEER_LINK_LOCAL);
    return link;
  }

  /** Addresses by hand only: no EUI-64 link-local address, so fe80::1 and fe80::99 are the only ones. */
  private static void configure(List<String> prefix, String device, String address, String linkLocal) throws Exception {
    ipIn(prefix, "link", "set", device, "addrgenmode", "none");
    ipIn(prefix, "addr", "add", address + "/30", "dev", device);
    ipIn(prefix, "addr", "add", linkLocal + "/64", "dev", device, "nodad");
    ipIn(prefix, "link", "set", device, "up");
  }

  private void startServer(String interfaceName) throws Exception {
    ServerConfig config = ServerConfig.singleDoor(interfaceName, sequence, 5 * SECOND, 1000, servicePort,
        30 * SECOND, null, ServerConfig.DEFAULT_GREETING, false);
    EventWriter writer = EventWriter.create(false, new PrintWriter(log, true));
    capture = PcapCapture.open(interfaceName, config::captureFilter);
    server = new KnockServer(config, capture, writer, Clock.SYSTEM);
    thread = new Thread(() -> {
      try {
        server.run(capture.linkTypeName());
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "host-rules-server");
    thread.start();
    awaitLog("listening interface " + interfaceName);
  }

  /** The sequence from the peer's fe80::99 over a UDP socket bound to the link. */
  private void knockOverSocket(Link link, String destination) throws Exception {
    StringBuilder ports = new StringBuilder();
    for (int port : sequence.ports()) {
      ports.append(port).append(',');
    }
    String script = "import socket\n"
        + "s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n"
        + "for p in '" + ports + "'.strip(',').split(','):\n"
        + "  s.sendto(b'knock', ('" + destination + "', int(p), 0, socket.if_nametoindex('" + link.peer() + "')))\n";
    Result result = inNamespace(link, PYTHON, "-c", script);
    assertEquals(0, result.code(), "knock: " + result.output());
  }

  /** Reads what the service port says to the peer (empty when closed at once or refused). */
  private String greeting(Link link, String destination) throws Exception {
    String family = destination.contains(":") ? "socket.AF_INET6" : "socket.AF_INET";
    String address = destination.contains(":")
        ? "('" + destination + "', " + servicePort + ", 0, socket.if_nametoindex('" + link.peer() + "'))"
        : "('" + destination + "', " + servicePort + ")";
    String script = "import socket, sys\n"
        + "s = socket.socket(" + family + ", socket.SOCK_STREAM)\n"
        + "s.settimeout(3)\n"
        + "try:\n"
        + "  s.connect(" + address + ")\n"
        + "  data = b''\n"
        + "  while True:\n"
        + "    chunk = s.recv(4096)\n"
        + "    if not chunk: break\n"
        + "    data += chunk\n"
        + "  sys.stdout.write(data.decode())\n"
        + "except (ConnectionRefusedError, ConnectionResetError):\n"
        + "  pass\n";
    Result result = inNamespace(link, PYTHON, "-c", script);
    assertEquals(0, result.code(), "connect: " + result.output());
    return result.output().strip();
  }

  /** Scapy lines sending the sequence with the given IP layer, as Ethernet frames to the host end. */
  private String scapyKnocks(Link link, String ipLayer) throws IOException {
    StringBuilder script = new StringBuilder();
    for (int port : sequence.ports()) {
      script.append(frame(link, ipLayer + "/UDP(sport=40000, dport=" + port + ")/b'knock'"));
    }
    return script.toString();
  }

  /** A valid sequence from fe80::99 after the others: once it is granted, they were all seen. */
  private String markerKnocks(Link link) throws IOException {
    return scapyKnocks(link, "IPv6(src='" + PEER_LINK_LOCAL + "', dst='" + SERVER_LINK_LOCAL + "')");
  }

  private String frame(Link link, String layers) throws IOException {
    String mac = Files.readString(Path.of("/sys/class/net", link.host(), "address")).strip();
    return "sendp(Ether(dst='" + mac + "')/" + layers + ", iface='" + link.peer() + "', verbose=False)\n";
  }

  private void scapy(Link link, String body) throws Exception {
    Result result = inNamespace(link, PYTHON, "-c", "from scapy.all import *\n" + body);
    assertEquals(0, result.code(), "scapy: " + result.output());
  }

  private void awaitLog(String text) {
    LiveHarness.await(() -> failure.get() != null || log.toString().contains(text),
        () -> "log line containing '" + text + "'\nlog:\n" + log);
    assertNull(failure.get(), () -> "server failed: " + failure.get() + "\nlog:\n" + log);
  }

  private static Result inNamespace(Link link, String... command) throws Exception {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", link.namespace()));
    full.addAll(List.of(command));
    return run(full);
  }

  private static void ip(String... args) throws Exception {
    ipIn(List.of(), args);
  }

  private static void ipIn(List<String> prefix, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(prefix);
    command.addAll(List.of(args));
    Result result = run(command);
    if (result.code() != 0) {
      fail(String.join(" ", command) + ": " + result.output());
    }
  }

  private record Result(int code, String output) {}

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new Result(-1, String.join(" ", command) + " still running after 20 s");
    }
    return new Result(process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static boolean isRoot() throws IOException, InterruptedException {
    return run(List.of("id", "-u")).output().strip().equals("0");
  }
}
