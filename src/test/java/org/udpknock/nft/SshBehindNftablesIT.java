package org.udpknock.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.server.ProcessLines;

/**
 * SSH behind an nftables door, end to end, with real components only: Debian's sshd on port 22
 * in a server namespace, the packaged udpknock sniffing its veth with {@code --config}, knockd's
 * {@code knock -u} and OpenSSH's {@code ssh} in a client namespace with two sources of each
 * family: A knocks, B never does (B's IPv6 address is deprecated, so that what A sends without
 * binding, like {@code knock}, leaves from A). Two nftables doors guard port 22 and share its
 * rules. Needs root: skipped, and said so, when not root and CI is unset.
 */
class SshBehindNftablesIT {
  private static final Path JAR = Path.of("target", "udpknock.jar");
  private static final Random RANDOM = new Random();
  private static final long POLL_MILLIS = 50;
  /** Connects from one source address; prints what it got. */
  private static final String CONNECT = String.join("\n",
      "import socket, sys",
      "src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])",
      "fam = socket.AF_INET6 if ':' in dst else socket.AF_INET",
      "s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(3); s.bind((src, 0))",
      "try:",
      "    s.connect((dst, port)); print('connected')",
      "except ConnectionRefusedError:",
      "    print('refused')",
      "except socket.timeout:",
      "    print('timeout')");

  @TempDir Path dir;
  private final String suffix = Integer.toHexString(0x1000 + RANDOM.nextInt(0xefff));
  private final String serverNs = "ukss" + suffix;
  private final String clientNs = "uksc" + suffix;
  private final String serverEnd = "ukss" + suffix;
  private final String clientEnd = "uksc" + suffix;
  private final String net = "10.234." + RANDOM.nextInt(256) + ".";
  private final String net6 = "fd00:234:" + Integer.toHexString(RANDOM.nextInt(0xffff)) + "::";
  private final String serverV4 = net + "1";
  private final String sourceA = net + "2";
  private final String sourceB = net + "3";
  private final String serverV6 = net6 + "1";
  private final String sourceA6 = net6 + "2";
  private final String sourceB6 = net6 + "3";
  private final int[] sequence = {30000 + RANDOM.nextInt(5000), 40000 + RANDOM.nextInt(5000), 35000 + RANDOM.nextInt(5000)};
  private final int[] altSequence = {sequence[0] + 1, sequence[1] + 1, sequence[2] + 1};
  private final List<Process> processes = new ArrayList<>();
  private BlockingQueue<String> lines;
  private final List<String> seen = new ArrayList<>();

  @BeforeEach
  void createNamespacesAndSshd() throws Exception {
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    if (!run("id", "-u").strip().equals("0") && System.getenv("CI") == null) {
      System.out.println("SKIPPED SshBehindNftablesIT: network namespaces, nftables and sshd need root"
          + " (run as root, or set CI to make this a failure)");
      Assumptions.abort("not root");
    }
    ProcessLines.ok("ip", "netns", "add", serverNs);
    ProcessLines.ok("ip", "netns", "add", clientNs);
    ProcessLines.ok("ip", "link", "add", serverEnd, "netns", serverNs, "type", "veth", "peer", "name", clientEnd, "netns", clientNs);
    for (String[] end : new String[][] {{serverNs, serverEnd}, {clientNs, clientEnd}}) {
      ProcessLines.ok("ip", "-n", end[0], "link", "set", "lo", "up");
      ProcessLines.ok("ip", "-n", end[0], "link", "set", end[1], "up");
    }
    ProcessLines.ok("ip", "-n", serverNs, "addr", "add", serverV4 + "/24", "dev", serverEnd);
    ProcessLines.ok("ip", "-n", serverNs, "-6", "addr", "add", serverV6 + "/64", "dev", serverEnd, "nodad");
    ProcessLines.ok("ip", "-n", clientNs, "addr", "add", sourceA + "/24", "dev", clientEnd);
    ProcessLines.ok("ip", "-n", clientNs, "addr", "add", sourceB + "/24", "dev", clientEnd); // secondary: never chosen
    ProcessLines.ok("ip", "-n", clientNs, "-6", "addr", "add", sourceA6 + "/64", "dev", clientEnd, "nodad");
    ProcessLines.ok("ip", "-n", clientNs, "-6", "addr", "add", sourceB6 + "/64", "dev", clientEnd, "nodad", "preferred_lft", "0");
    startSshd();
  }

  @AfterEach
  void cleanUp() throws Exception {
    processes.forEach(Process::destroyForcibly);
    run("ip", "netns", "del", serverNs); // takes the veth pair and the table with it
    run("ip", "netns", "del", clientNs);
  }

  @Test
  void beforeAKnockPort22ResetsAfterItSshRunsACommandAndOthersAreStillReset() throws Exception {
    startServer("30s");
    assertEquals("refused", connect(sourceA, serverV4), "before any knock: a reset, as from a closed port");
    assertEquals("refused", connect(sourceA6, serverV6), "before any knock, IPv6");

    knockAndAwait("ssh", sequence, serverV4, sourceA);
    assertEquals("through udpknock", ssh(sourceA, serverV4, "echo through udpknock"));
    assertEquals("refused", connect(sourceB, serverV4), "B did not knock");
    assertEquals("refused", connect(sourceA6, serverV6), "A knocked over IPv4 only");

    knockAndAwait("ssh-alt", altSequence, serverV6, sourceA6); // the other door on port 22
    assertEquals("through udpknock", ssh(sourceA6, serverV6, "echo through udpknock"));
    assertEquals("refused", connect(sourceB6, serverV6), "B did not knock, IPv6");
    assertEquals("refused", connect(sourceB, serverV4), "B still, IPv4");
  }

  @Test
  void aSessionOpenedDuringTheGrantOutlivesItButANewConnectionIsReset() throws Exception {
    startServer("2s");
    knockAndAwait("ssh", sequence, serverV4, sourceA);
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", clientNs, "ssh"));
    command.addAll(sshOptionList(sourceA));
    command.addAll(List.of("root@" + serverV4, "echo ready; read line; echo got $line"));
    Process session = start(command.toArray(String[]::new));
    BlockingQueue<String> out = ProcessLines.linesOf(session.getInputStream());
    assertEquals("ready", out.poll(10, TimeUnit.SECONDS), "the session opened during the grant");
    awaitGone("ssh_v4", sourceA, 6_000);
    try (OutputStream in = session.getOutputStream()) {
      in.write("after-expiry\n".getBytes(StandardCharsets.UTF_8));
    }
    assertEquals("got after-expiry", out.poll(10, TimeUnit.SECONDS), "established flows pass after the grant");
    assertEquals("refused", connect(sourceA, serverV4), "a new connection after the grant expired");
  }

  @Test
  void aRestartDuringAGrantKeepsItAndItStillExpiresOnTime() throws Exception {
    Process first = startServer("6s");
    knockAndAwait("ssh", sequence, serverV4, sourceA);
    long grantedAt = System.nanoTime();
    long before = expiresMillis("ssh_v4", sourceA);
    first.toHandle().destroy(); // SIGTERM: a clean stop
    assertTrue(first.waitFor(5, TimeUnit.SECONDS), "server did not stop");
    assertEquals("refused", connect(sourceB, serverV4), "fail closed: the table stays while stopped");

    startServer("6s");
    long after = expiresMillis("ssh_v4", sourceA);
    assertTrue(after > 0 && after <= before, "kept, still counting down: " + before + " then " + after);
    assertEquals("kept", ssh(sourceA, serverV4, "echo kept"), "the grant from before the restart still lets A in");
    awaitGone("ssh_v4", sourceA, 8_000);
    long lastedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - grantedAt);
    assertTrue(lastedMillis <= 6_000 + 1_000, "expired on time, not renewed by the restart: " + lastedMillis + " ms");
    assertEquals("refused", connect(sourceA, serverV4), "after expiry");
  }

  @Test
  void manyReKnocksLeaveOneElementPerSource() throws Exception {
    startServer("30s");
    for (int i = 0; i < 15; i++) {
      knockAndAwait("ssh", sequence, serverV4, sourceA);
      knockAndAwait("ssh", sequence, serverV6, sourceA6);
    }
    String table = nft("list", "table", "inet", "udpknock");
    assertEquals(1, count(table, " " + sourceA + " timeout"), "one IPv4 element: " + table);
    assertEquals(1, count(table, " " + sourceA6 + " timeout"), "one IPv6 element: " + table);
    assertEquals("ok", ssh(sourceA, serverV4, "echo ok"));
  }

  /**
   * SIGHUP applies nftables doors: a reload adding a door on another port keeps the kept door's
   * element, guards the new port at once (B is reset) and puts a knock on the new door in its own
   * set; a reload without a door deletes its sets, so its grant ends in the kernel too.
   */
  @Test
  void aReloadAddsAnNftablesDoorOnAnotherPortAndDeletesTheSetsOfARemovedOne() throws Exception {
    int[] webSequence = {sequence[0] + 2, sequence[1] + 2, sequence[2] + 2};
    listenOn(2222);
    assertEquals("connected", connect(sourceB, serverV4, 2222), "not guarded before the reload");
    Process server = startServer("30s");
    knockAndAwait("ssh", sequence, serverV4, sourceA);

    String web = door("web", webSequence, "30s").replace("port = 22", "port = 2222");
    reload(server, door("ssh", sequence, "30s"), door("ssh-alt", altSequence, "30s"), web);
    assertTrue(expiresMillis("ssh_v4", sourceA) > 0, "the kept door's element is still there");
    assertEquals("refused", connect(sourceB, serverV4, 2222), "the new door's port resets B at once");
    knockAndAwait("web", webSequence, serverV4, sourceA);
    assertTrue(nft("list", "set", "inet", "udpknock", "web_v4").contains(" " + sourceA + " "), "A in the new set");
    assertEquals("connected", connect(sourceA, serverV4, 2222), "A knocked on the new door");
    assertEquals("refused", connect(sourceB, serverV4, 2222), "B still reset");

    reload(server, door("ssh-alt", altSequence, "30s"), web);
    String table = nft("list", "table", "inet", "udpknock");
    assertTrue(!table.contains("set ssh_v4") && table.contains("set web_v4"), "ssh's sets are gone: " + table);
    assertEquals("refused", connect(sourceA, serverV4), "A's grant on the removed door ended in the kernel");
  }

  private void reload(Process server, String... doors) throws Exception {
    Files.writeString(dir.resolve("udpknock.toml"), "nftables = \"require\"\n" + String.join("\n", doors));
    ProcessLines.ok("kill", "-HUP", String.valueOf(server.pid()));
    awaitLine("reloaded file ");
  }

  /** A plain TCP listener on the server's address, which only the table can make answer with a reset. */
  private void listenOn(int port) throws Exception {
    start("ip", "netns", "exec", serverNs, "socat", "-u", "TCP-LISTEN:" + port + ",bind=" + serverV4 + ",fork,reuseaddr",
        "/dev/null");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!run("ip", "netns", "exec", serverNs, "ss", "-Htln", "sport = :" + port).contains(serverV4 + ":" + port)) {
      assertTrue(System.nanoTime() < deadline, "socat not listening on " + port + " within 10 s");
      Thread.sleep(POLL_MILLIS);
    }
  }

  private void startSshd() throws Exception {
    ProcessLines.ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
    ProcessLines.ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_key").toString());
    Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
    Files.writeString(dir.resolve("sshd_config"), String.join("\n",
        "Port 22", "ListenAddress " + serverV4, "ListenAddress " + serverV6,
        "HostKey " + dir.resolve("host_key"), "PidFile " + dir.resolve("sshd.pid"),
        "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PermitRootLogin prohibit-password",
        "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no", ""));
    Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
    Process sshd = start("ip", "netns", "exec", serverNs, "/usr/sbin/sshd", "-D", "-e", "-f",
        dir.resolve("sshd_config").toString());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!run("ip", "netns", "exec", serverNs, "ss", "-Htln", "sport = :22").contains(serverV4 + ":22")) {
      if (!sshd.isAlive()) {
        fail("sshd exited: " + new String(sshd.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
      assertTrue(System.nanoTime() < deadline, "sshd not listening within 10 s");
      Thread.sleep(POLL_MILLIS);
    }
  }

  private Process startServer(String openFor) throws Exception {
    Path config = dir.resolve("udpknock.toml");
    Files.writeString(config, String.join("\n",
        "nftables = \"require\"",
        door("ssh", sequence, openFor),
        door("ssh-alt", altSequence, openFor)));
    Process server = start("ip", "netns", "exec", serverNs, ProcessLines.javaCommand(), "-jar", JAR.toString(),
        "server", "-i", serverEnd, "--config", config.toString());
    lines = ProcessLines.linesOf(server.getInputStream());
    awaitLine("listening");
    return server;
  }

  private static String door(String name, int[] knocks, String openFor) {
    return String.join("\n", "[[door]]", "name = \"" + name + "\"",
        "sequence = [" + knocks[0] + ", " + knocks[1] + ", " + knocks[2] + "]",
        "open_for = \"" + openFor + "\"", "action = \"nftables\"", "port = 22", "protocol = \"tcp\"", "");
  }

  /** knockd's own client; the source is the namespace's preferred address, A. */
  private void knockAndAwait(String door, int[] knocks, String server, String granted) throws Exception {
    ProcessLines.ok("ip", "netns", "exec", clientNs, "knock", "-u", server, String.valueOf(knocks[0]), String.valueOf(knocks[1]),
        String.valueOf(knocks[2]));
    awaitLine("nft-allowed " + door + " " + granted + " ");
  }

  private String ssh(String source, String server, String command) throws Exception {
    List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", clientNs, "ssh"));
    line.addAll(sshOptionList(source));
    line.addAll(List.of("root@" + server, command));
    return run(line.toArray(String[]::new)).strip();
  }

  private List<String> sshOptionList(String source) {
    return List.of("-i", dir.resolve("client_key").toString(), "-b", source, "-o", "StrictHostKeyChecking=no",
        "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR");
  }

  private String connect(String source, String server) throws Exception {
    return connect(source, server, 22);
  }

  private String connect(String source, String server, int port) throws Exception {
    return run("ip", "netns", "exec", clientNs, "python3", "-c", CONNECT, source, server, String.valueOf(port)).strip();
  }

  /** Bounded poll on the kernel's set until the source's element is gone. */
  private void awaitGone(String set, String source, long withinMillis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMillis);
    while (nft("list", "set", "inet", "udpknock", set).contains(" " + source + " ")) {
      assertTrue(System.nanoTime() < deadline, source + " still in " + set + " after " + withinMillis + " ms");
      Thread.sleep(POLL_MILLIS);
    }
  }

  /** What is left of the source's element, from nft's {@code expires 5s520ms}. */
  private long expiresMillis(String set, String source) throws Exception {
    String listing = nft("list", "set", "inet", "udpknock", set);
    Matcher m = Pattern.compile(Pattern.quote(source) + " timeout \\S+ expires ((\\d+)s)?((\\d+)ms)?").matcher(listing);
    if (!m.find()) {
      fail("no element for " + source + ": " + listing);
    }
    return (m.group(2) == null ? 0 : Long.parseLong(m.group(2)) * 1000) + (m.group(4) == null ? 0 : Long.parseLong(m.group(4)));
  }

  private String nft(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", serverNs, "nft"));
    command.addAll(List.of(args));
    return run(command.toArray(String[]::new));
  }

  private static int count(String text, String part) {
    return text.split(Pattern.quote(part), -1).length - 1;
  }

  private Process start(String... command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    processes.add(process);
    return process;
  }

  private void awaitLine(String text) throws InterruptedException {
    seen.addAll(ProcessLines.linesUntil(lines, text));
  }

  private static String run(String... command) throws Exception {
    return ProcessLines.run(command).output();
  }
}
