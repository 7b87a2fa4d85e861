package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.udpknock.server.ProcessLines.await;
import static org.udpknock.server.ProcessLines.javaCommand;
import static org.udpknock.server.ProcessLines.ok;
import static org.udpknock.server.ProcessLines.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.auth.KeyFile;
import org.udpknock.auth.ServerId;
import org.udpknock.core.KnockSequence;
import org.udpknock.server.ProcessLines.Output;
import org.udpknock.server.ProcessLines.Result;

/**
 * Issue 9, as the attacker did it: a real {@code udpknock knock} from inside a network namespace
 * this test creates, captured by real tcpdump on the server's end of a veth pair, then re-sent
 * by scapy from another address of the namespace. The packaged server runs as a process, so a
 * crash is a real SIGKILL. Needs root: skipped, and said so, when not root and CI is unset.
 *
 * <p>Before the fix, (a) the restarted server granted the copy (its nonce cache had died with
 * the first run) and (b) a second server with the same key granted it too (the tag covered no
 * server).
 */
class AuthReplayNamespaceIT {
  private static final Path JAR = Path.of("target", "udpknock.jar");
  private static final String GREETING = ServerConfig.DEFAULT_GREETING;
  private static final Random RANDOM = new Random();
  /** Re-sends every frame of a capture with another IPv4 source, checksums recomputed. */
  private static final String RESEND = String.join("\n",
      "import sys",
      "from scapy.all import rdpcap, sendp, IP, UDP",
      "frames = rdpcap(sys.argv[1])",
      "for frame in frames:",
      "    frame[IP].src = sys.argv[2]",
      "    del frame[IP].chksum",
      "    del frame[UDP].chksum",
      "    sendp(frame, iface=sys.argv[3], verbose=False)",
      "print(len(frames))");

  private final String suffix = Integer.toHexString(0x1000 + RANDOM.nextInt(0xefff));
  private final String namespace = "uka" + suffix;
  private final String hostEnd = "ukah" + suffix;
  private final String peerEnd = "ukap" + suffix;
  private final String prefix = "10.232." + RANDOM.nextInt(256) + ".";
  private final int subnet = RANDOM.nextInt(32) * 8; // a /29 in 10.232.X.0/24
  private final String hostAddress = prefix + (subnet + 1);
  private final String knocker = prefix + (subnet + 2);
  private final String attacker = prefix + (subnet + 3);
  private final List<Process> processes = new ArrayList<>();
  @TempDir Path dir;
  private KnockSequence sequence;
  private Path key;

  @BeforeEach
  void setUp() throws Exception {
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    if (!run("id", "-u").output().strip().equals("0") && System.getenv("CI") == null) {
      System.out.println("SKIPPED AuthReplayNamespaceIT: network namespaces and capture need root"
          + " (run as root, or set CI to make this a failure)");
      Assumptions.abort("not root");
    }
    int base = 30000 + RANDOM.nextInt(3000) * 3;
    sequence = KnockSequence.of(base, base + 2, base + 1);
    key = dir.resolve("knock.key");
    KeyFile.create(key, ServerId.of("server-a"), new SecureRandom());
    ok("ip", "netns", "add", namespace);
    ok("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", peerEnd, "netns", namespace);
    ok("ip", "addr", "add", hostAddress + "/29", "dev", hostEnd);
    ok("ip", "link", "set", hostEnd, "up");
    for (String address : List.of(knocker, attacker)) {
      ok("ip", "netns", "exec", namespace, "ip", "addr", "add", address + "/29", "dev", peerEnd);
    }
    ok("ip", "netns", "exec", namespace, "ip", "link", "set", peerEnd, "up");
    ok("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");
  }

  @AfterEach
  void cleanUp() throws Exception {
    processes.forEach(Process::destroyForcibly);
    for (Process process : processes) {
      process.waitFor(5, TimeUnit.SECONDS);
    }
    run("ip", "link", "del", hostEnd);
    run("ip", "netns", "del", namespace);
  }

  @Test
  void aSniffedKnockReplayedAfterACrashOrARestartIsRefusedAsBeforeStart() throws Exception {
    int port = LiveHarness.freePort();
    Server first = startServer(port);
    Path capture = knockAndCapture(port);
    first.awaitLog("granted default " + knocker);

    first.crash(); // SIGKILL: no clean stop, nothing written anywhere
    Server afterCrash = startServer(port);
    resendFromAttacker(capture);
    afterCrash.awaitLog("rejected default " + attacker + " port " + sequence.port(2) + " before-start");
    assertNoGrantFor(afterCrash, port);

    String summary = afterCrash.stop();
    assertTrue(summary.contains("before-start 3"), summary);
    Server afterRestart = startServer(port);
    resendFromAttacker(capture);
    afterRestart.awaitLog("rejected default " + attacker + " port " + sequence.port(2) + " before-start");
    assertNoGrantFor(afterRestart, port);
  }

  @Test
  void aKnockForOneServerOpensNoOtherServerWithTheSameKey() throws Exception {
    int portA = LiveHarness.freePort();
    int portB = LiveHarness.freePort();
    Server b = startServer(portB, "--server-id", "server-b");
    Server a = startServer(portA);
    Path capture = knockAndCapture(portA);
    a.awaitLog("granted default " + knocker);
    // B saw the very knock A granted, live, after its own start: the tag is not B's.
    b.awaitLog("rejected default " + knocker + " port " + sequence.port(2) + " bad-tag");
    resendFromAttacker(capture);
    b.awaitLog("rejected default " + attacker + " port " + sequence.port(2) + " bad-tag");
    a.awaitLog("rejected default " + attacker + " port " + sequence.port(2) + " replayed");
    assertFalse(b.log().contains("granted"), b.log());
    assertFalse(connectFrom(knocker, portB).contains(GREETING), "no greeting from B\n" + b.log());
    assertFalse(connectFrom(attacker, portB).contains(GREETING), "no greeting from B\n" + b.log());
  }

  /**
   * With --max-ahead 1ms: the client shares this machine's clock, and knocks well after that
   * (a new JVM); the server says from when it takes knocks.
   */
  private Server startServer(int servicePort, String... extra) throws Exception {
    List<String> command = new ArrayList<>(List.of(javaCommand(), "-jar", JAR.toString(), "server",
        "-i", hostEnd, "--any-destination", "--sequence", sequence.toString(),
        "--service-port", String.valueOf(servicePort), "--secret-file", key.toString(), "--max-ahead", "1ms"));
    command.addAll(List.of(extra));
    Server server = new Server(start(command));
    server.awaitLog("listening interface " + hostEnd);
    server.awaitLog("warning default message authenticated knocks stamped before ");
    return server;
  }

  /** The real client knocks from the namespace and is greeted; tcpdump on the host end saw it. */
  private Path knockAndCapture(int servicePort) throws Exception {
    Path capture = dir.resolve("knock-" + System.nanoTime() + ".pcap");
    Process tcpdump = start(List.of("tcpdump", "-i", hostEnd, "-n", "-U", "--immediate-mode", "-w", capture.toString(),
        "udp and dst host " + hostAddress));
    Output tcpdumpOutput = new Output(tcpdump.getInputStream());
    await(() -> tcpdumpOutput.text().contains("listening on"), () -> "tcpdump: " + tcpdumpOutput.text());
    Result knock = run("ip", "netns", "exec", namespace, javaCommand(), "-jar", JAR.toAbsolutePath().toString(),
        "knock", hostAddress, "--source", knocker, "--sequence", sequence.toString(),
        "--service-port", String.valueOf(servicePort), "--secret-file", key.toString(),
        "--connect-timeout", "5s");
    assertEquals(0, knock.code(), "udpknock knock: " + knock.output());
    assertEquals(GREETING, knock.output().strip());
    await(() -> knocksIn(capture) == 3, () -> "the three knocks in " + capture + ", tcpdump: " + tcpdumpOutput.text());
    tcpdump.toHandle().destroy(); // SIGTERM
    assertTrue(tcpdump.waitFor(5, TimeUnit.SECONDS), "tcpdump still running");
    return capture;
  }

  /** The authenticated knock datagrams tcpdump reads back from {@code capture}. */
  private static long knocksIn(Path capture) {
    try {
      return run("tcpdump", "-n", "-r", capture.toString()).output().lines()
          .filter(line -> line.contains(" UDP, length 58")).count();
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  private void resendFromAttacker(Path capture) throws Exception {
    Result sent = run("ip", "netns", "exec", namespace, "/usr/bin/python3", "-c", RESEND, capture.toString(),
        attacker, peerEnd);
    assertEquals(0, sent.code(), "scapy: " + sent.output());
    List<String> lines = sent.output().strip().lines().toList(); // scapy may warn first
    assertEquals("3", lines.get(lines.size() - 1), "frames re-sent: " + sent.output());
  }

  private void assertNoGrantFor(Server server, int servicePort) throws Exception {
    assertFalse(server.log().contains("granted"), server.log());
    assertFalse(connectFrom(attacker, servicePort).contains(GREETING), "no greeting\n" + server.log());
  }

  /** What a TCP connection from {@code source} in the namespace reads from the service port. */
  private String connectFrom(String source, int servicePort) throws Exception {
    return run("ip", "netns", "exec", namespace, "timeout", "5", "nc", "-d", "-w", "2", "-s", source,
        hostAddress, String.valueOf(servicePort)).output();
  }

  /** A packaged server, its output gathered as it comes. */
  private final class Server {
    private final Process process;
    private final Output output;

    Server(Process process) {
      this.process = process;
      this.output = new Output(process.getInputStream());
    }

    String log() {
      return output.text();
    }

    void awaitLog(String text) throws InterruptedException {
      await(() -> log().contains(text), () -> "'" + text + "' in the server log:\n" + log());
    }

    void crash() throws InterruptedException {
      process.destroyForcibly();
      assertTrue(process.waitFor(5, TimeUnit.SECONDS), "server still running after SIGKILL");
    }

    /** SIGTERM; returns the summary line. */
    String stop() throws InterruptedException {
      process.toHandle().destroy();
      assertTrue(process.waitFor(5, TimeUnit.SECONDS), "server still running after SIGTERM");
      assertEquals(0, process.exitValue(), log());
      awaitLog("summary");
      return log().lines().filter(line -> line.contains("summary")).findFirst().orElseThrow();
    }
  }

  private Process start(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    processes.add(process);
    return process;
  }

}
