package org.udpknock.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.udpknock.server.ProcessLines;

/**
 * The packaged server in a network namespace of its own, guarding its service port with real
 * nftables; clients in a second namespace with two addresses of each kind: A knocks, B never
 * does. What each sees is what a scanner sees. Needs root: skipped, and said so, when not root
 * and CI is unset.
 */
class KernelGuardIT {
  private static final Path JAR = Path.of("target", "udpknock.jar");
  private static final Random RANDOM = new Random();
  private static final String GREETING = "Bonjour, vous avez réussi la séquence UDP !";
  /** Knocks or connects from one source address; prints what it got, one word first. */
  private static final String CLIENT = String.join("\n",
      "import socket, sys",
      "mode, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]",
      "fam = socket.AF_INET6 if ':' in dst else socket.AF_INET",
      "def addr(a, port):",
      "    return socket.getaddrinfo(a, port, fam)[0][4]",
      "if mode == 'knock':",
      "    for port in sys.argv[4].split(','):",
      "        s = socket.socket(fam, socket.SOCK_DGRAM); s.bind(addr(src, 0)); s.sendto(b'k', addr(dst, int(port))); s.close()",
      "    print('knocked')",
      "else:",
      "    s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(3); s.bind(addr(src, 0))",
      "    try:",
      "        s.connect(addr(dst, int(sys.argv[4])))",
      "        data = s.recv(1000)",
      "        print('greeting ' + data.decode().strip() if data else 'empty')",
      "    except ConnectionRefusedError:",
      "        print('refused')",
      "    except socket.timeout:",
      "        print('timeout')",
      "    except OSError as e:",
      "        print('error ' + str(e))");

  private final String suffix = Integer.toHexString(0x1000 + RANDOM.nextInt(0xefff));
  private final String serverNs = "ukgs" + suffix;
  private final String clientNs = "ukgc" + suffix;
  private final String serverEnd = "ukgs" + suffix;
  private final String clientEnd = "ukgc" + suffix;
  private final String net = "10.233." + RANDOM.nextInt(256) + ".";
  private final String net6 = "fd00:233:" + Integer.toHexString(RANDOM.nextInt(0xffff)) + "::";
  private final String serverV4 = net + "1";
  private final String sourceA = net + "2";
  private final String sourceB = net + "3";
  private final String serverV6 = net6 + "1";
  private final String sourceA6 = net6 + "2";
  private final String sourceB6 = net6 + "3";
  private final int port = 20000 + RANDOM.nextInt(10000);
  private final String sequence = (30000 + RANDOM.nextInt(5000)) + "," + (40000 + RANDOM.nextInt(5000))
      + "," + (35000 + RANDOM.nextInt(5000));
  private final List<Process> servers = new ArrayList<>();
  private BlockingQueue<String> lines;
  private final List<String> seen = new ArrayList<>();

  @BeforeEach
  void createNamespaces() throws Exception {
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    if (!run("id", "-u").strip().equals("0") && System.getenv("CI") == null) {
      System.out.println("SKIPPED KernelGuardIT: network namespaces and nftables need root"
          + " (run as root, or set CI to make this a failure)");
      Assumptions.abort("not root");
    }
    ProcessLines.ok("ip", "netns", "add", serverNs);
    ProcessLines.ok("ip", "netns", "add", clientNs);
    ProcessLines.ok("ip", "link", "add", serverEnd, "netns", serverNs, "type", "veth", "peer", "name", clientEnd, "netns", clientNs);
    configure(serverNs, serverEnd, serverV4, serverV6, "fe80::1");
    configure(clientNs, clientEnd, sourceA, sourceA6, "fe80::a");
    addAddresses(clientNs, clientEnd, sourceB, sourceB6, "fe80::b");
  }

  @AfterEach
  void cleanUp() throws Exception {
    servers.forEach(Process::destroyForcibly);
    run("ip", "netns", "del", serverNs); // takes the veth pair and the table with it
    run("ip", "netns", "del", clientNs);
  }

  @Test
  void onlyTheSourceThatKnockedReachesThePortAndEveryOtherGetsAReset() throws Exception {
    startServer();
    assertEquals("refused", connect(sourceA, serverV4), "before any knock");
    assertEquals("refused", connect(sourceA6, serverV6), "before any knock, IPv6");

    knockAndAwait(sourceA, serverV4, sourceA);
    assertEquals("greeting " + GREETING, connect(sourceA, serverV4));
    assertEquals("refused", connect(sourceB, serverV4), "B holds no grant: a reset, as from a closed port");
    knockAndAwait(sourceA6, serverV6, sourceA6);
    assertEquals("greeting " + GREETING, connect(sourceA6, serverV6));
    assertEquals("refused", connect(sourceB6, serverV6), "B holds no grant, IPv6");

    String ll = "%" + clientEnd;
    knockAndAwait("fe80::a" + ll, "fe80::1" + ll, "fe80::a");
    assertEquals("greeting " + GREETING, connect("fe80::a" + ll, "fe80::1" + ll));
    assertEquals("refused", connect("fe80::b" + ll, "fe80::1" + ll), "link-local B");
    String table = nft("list", "table", "inet", "udpknock");
    assertTrue(Pattern.compile("\"?" + serverEnd + "\"? \\. fe80::a timeout").matcher(table).find(),
        "a link-local element is tied to the capture interface: " + table);

    if (!run("sh", "-c", "command -v nmap").isBlank()) {
      String scan = run("ip", "netns", "exec", clientNs, "nmap", "-sS", "-Pn", "-n", "-e", clientEnd,
          "-S", sourceB, "-p", String.valueOf(port), serverV4);
      assertTrue(scan.contains(port + "/tcp closed"), "nmap from B while A holds a grant: " + scan);
    }
  }

  @Test
  void reKnocksRenewTheOneElementOfTheSourceWithoutDuplicates() throws Exception {
    startServer();
    knockAndAwait(sourceA, serverV4, sourceA);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
    long expires;
    while ((expires = expiresMillis(sourceA)) > 8_500) { // bounded poll: the element ages
      assertTrue(System.nanoTime() < deadline, "element not ageing: " + expires);
      Thread.sleep(50);
    }
    for (int i = 0; i < 3; i++) {
      knockAndAwait(sourceA, serverV4, sourceA);
    }
    String set = nft("list", "set", "inet", "udpknock", "service_v4");
    assertEquals(1, count(set, sourceA + " "), "one element per source: " + set);
    assertTrue(expiresMillis(sourceA) > 9_000, "the re-knock renewed the timeout: " + set);
  }

  @Test
  void aRestartKeepsTheGrantedElementAndItsExpiryAndTheTableStaysClosedMeanwhile() throws Exception {
    Process first = startServer();
    knockAndAwait(sourceA, serverV4, sourceA);
    long before = expiresMillis(sourceA);
    first.toHandle().destroy(); // SIGTERM: a clean stop
    assertTrue(first.waitFor(3, TimeUnit.SECONDS), "server did not stop");
    assertTrue(expiresMillis(sourceA) <= before, "the element outlives the process");
    assertEquals("refused", connect(sourceB, serverV4), "fail closed: the table stays");

    startServer();
    long after = expiresMillis(sourceA);
    assertTrue(after > 0 && after <= before, "kept, and still expiring on time: " + before + " then " + after);
    assertEquals("refused", connect(sourceB, serverV4), "after the restart");
  }

  private Process startServer() throws Exception {
    Process server = new ProcessBuilder("ip", "netns", "exec", serverNs, ProcessLines.javaCommand(), "-jar", JAR.toString(),
        "server", "-i", serverEnd, "--sequence", sequence, "--service-port", String.valueOf(port),
        "--service-timeout", "10s", "--nftables", "require").redirectErrorStream(true).start();
    servers.add(server);
    lines = ProcessLines.linesOf(server.getInputStream());
    awaitLine("service-open");
    return server;
  }

  private void knockAndAwait(String source, String server, String granted) throws Exception {
    assertEquals("knocked", client("knock", source, server, sequence));
    awaitLine("nft-allowed default " + granted + " ");
  }

  private String connect(String source, String server) throws Exception {
    return client("connect", source, server, String.valueOf(port));
  }

  private String client(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", clientNs, "python3", "-c", CLIENT));
    command.addAll(List.of(args));
    return run(command.toArray(String[]::new)).strip();
  }

  /** What is left of the source's element, from nft's {@code expires 9s520ms}. */
  private long expiresMillis(String source) throws Exception {
    String set = nft("list", "set", "inet", "udpknock", "service_v4");
    Matcher m = Pattern.compile(Pattern.quote(source) + " timeout \\S+ expires ((\\d+)m(?!s))?((\\d+)s)?((\\d+)ms)?")
        .matcher(set);
    if (!m.find()) {
      fail("no element for " + source + ": " + set);
    }
    return part(m, 2) * 60_000 + part(m, 4) * 1000 + part(m, 6);
  }

  private static long part(Matcher m, int group) {
    return m.group(group) == null ? 0 : Long.parseLong(m.group(group));
  }

  private String nft(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", serverNs, "nft"));
    command.addAll(List.of(args));
    return run(command.toArray(String[]::new));
  }

  private static int count(String text, String part) {
    return text.split(Pattern.quote(part), -1).length - 1;
  }

  private static void configure(String ns, String dev, String v4, String v6, String linkLocal) throws Exception {
    ProcessLines.ok("ip", "-n", ns, "link", "set", "lo", "up");
    ProcessLines.ok("ip", "-n", ns, "link", "set", dev, "up");
    addAddresses(ns, dev, v4, v6, linkLocal);
  }

  private static void addAddresses(String ns, String dev, String v4, String v6, String linkLocal) throws Exception {
    ProcessLines.ok("ip", "-n", ns, "addr", "add", v4 + "/24", "dev", dev);
    ProcessLines.ok("ip", "-n", ns, "-6", "addr", "add", v6 + "/64", "dev", dev, "nodad");
    ProcessLines.ok("ip", "-n", ns, "-6", "addr", "add", linkLocal + "/64", "dev", dev, "nodad");
  }

  /** Until the server says {@code text} (at most 10 s); every line it said is kept for the failure messages. */
  private void awaitLine(String text) throws InterruptedException {
    seen.addAll(ProcessLines.linesUntil(lines, text));
  }

  private static String run(String... command) throws Exception {
    return ProcessLines.run(command).output();
  }
}
