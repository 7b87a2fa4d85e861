package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.udpknock.client.KnockClient;
import org.udpknock.core.KnockSequence;

/** Test 7: the packaged server, run as a process, stops on SIGTERM within a second with its totals. */
class ServerProcessIT {
  private static final Path JAR = Path.of("target", "udpknock.jar");

  @Test
  void t7_thePackagedServerExitsCleanlyOnSigtermAndPrintsItsTotals() throws Exception {
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    skipUnlessRootOrCi();
    int port = LiveHarness.freePort();
    KnockSequence sequence = KnockSequence.of(23011, 23013, 23012);
    Process server = new ProcessBuilder(javaCommand(), "-jar", JAR.toString(), "server", "-i", "lo",
        "--sequence", sequence.toString(), "--service-port", String.valueOf(port),
        "--nftables", "off") // on the host's own lo: no table left in its ruleset (KernelGuardIT tests it)
        .redirectErrorStream(true).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> readLines(server, lines), "server-output");
    reader.setDaemon(true);
    reader.start();
    try {
      awaitLine(lines, "listening");
      KnockClient client = new KnockClient(java.net.InetAddress.getByName("127.0.0.1"), null);
      client.knock(sequence, 0, new byte[0]);
      assertEquals("Bonjour, vous avez réussi la séquence UDP !",
          client.fetchGreeting(port, 5_000_000_000L).orElse("(no greeting)"));

      long stopAsked = System.nanoTime();
      server.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
      assertTrue(server.waitFor(2, TimeUnit.SECONDS), "server still running 2 s after SIGTERM");
      long stopMillis = (System.nanoTime() - stopAsked) / 1_000_000;
      assertEquals(0, server.exitValue(), "exit code after SIGTERM");
      assertTrue(stopMillis < 1000, "stopped in " + stopMillis + " ms");
      String summary = awaitLine(lines, "summary:");
      assertTrue(summary.contains("3 knocks, 1 granted"), summary);
      assertTrue(summary.contains("kernel drops"), summary);
    } finally {
      server.destroyForcibly();
    }
  }

  @Test
  void aServerWaitingForItsInterfaceStopsOnSigtermWithinASecond() throws Exception {
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    skipUnlessRootOrCi();
    String missing = "ukwait" + Integer.toHexString(new java.util.Random().nextInt(0xffff));
    Process server = new ProcessBuilder(javaCommand(), "-jar", JAR.toString(), "server", "-i", missing,
        "--wait-for-interface", "--service-port", String.valueOf(LiveHarness.freePort()), "--nftables", "off")
        .redirectErrorStream(true).start();
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> readLines(server, lines), "server-output");
    reader.setDaemon(true);
    reader.start();
    try {
      String waiting = awaitLine(lines, "capture-waiting");
      assertTrue(waiting.contains("interface " + missing + " retry-in-ms "), waiting);
      long stopAsked = System.nanoTime();
      server.toHandle().destroy(); // SIGTERM, in the middle of a backoff wait
      assertTrue(server.waitFor(2, TimeUnit.SECONDS), "server still running 2 s after SIGTERM");
      long stopMillis = (System.nanoTime() - stopAsked) / 1_000_000;
      assertEquals(0, server.exitValue(), "exit code after SIGTERM");
      assertTrue(stopMillis < 1000, "stopped in " + stopMillis + " ms");
      awaitLine(lines, "summary:");
    } finally {
      server.destroyForcibly();
    }
  }

  private static void skipUnlessRootOrCi() throws IOException, InterruptedException {
    Process id = new ProcessBuilder("id", "-u").start();
    String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    id.waitFor();
    if (!uid.equals("0") && System.getenv("CI") == null) {
      System.out.println("SKIPPED ServerProcessIT: capturing on lo needs root here (CI runs it as root)");
      Assumptions.abort("not root");
    }
  }

  private static String javaCommand() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static void readLines(Process process, BlockingQueue<String> lines) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("(output ended: " + e + ")");
    }
  }

  private static String awaitLine(BlockingQueue<String> lines, String text) throws InterruptedException {
    List<String> seen = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        seen.add(line);
        if (line.contains(text)) {
          return line;
        }
      }
    }
    fail("no line containing '" + text + "' within 10 s; output: " + seen);
    return null;
  }
}
