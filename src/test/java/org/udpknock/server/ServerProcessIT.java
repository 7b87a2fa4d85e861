package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.udpknock.client.KnockClient;
import org.udpknock.core.KnockSequence;

/**
 * Test 7: the packaged server, run as a process, stops on SIGTERM within a second with its
 * totals; signals and a log that cannot be written do not stop it.
 */
class ServerProcessIT {
  private static final Path JAR = Path.of("target", "udpknock.jar");
  /** The launcher users run: the same jar, with the launcher's JVM options. */
  private static final String LAUNCHER = "scripts/udpknock";

  @Test
  void t7_thePackagedServerExitsCleanlyOnSigtermAndPrintsItsTotals() throws Exception {
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    ProcessLines.skipUnlessRootOrCi("ServerProcessIT");
    int port = LiveHarness.freePort();
    KnockSequence sequence = KnockSequence.of(23011, 23013, 23012);
    Process server = new ProcessBuilder(ProcessLines.javaCommand(), "-jar", JAR.toString(), "server", "-i", "lo",
        "--sequence", sequence.toString(), "--service-port", String.valueOf(port),
        "--nftables", "off") // on the host's own lo: no table left in its ruleset (KernelGuardIT tests it)
        .redirectErrorStream(true).start();
    BlockingQueue<String> lines = ProcessLines.linesOf(server.getInputStream());
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
    ProcessLines.skipUnlessRootOrCi("ServerProcessIT");
    String missing = "ukwait" + Integer.toHexString(new java.util.Random().nextInt(0xffff));
    Process server = new ProcessBuilder(ProcessLines.javaCommand(), "-jar", JAR.toString(), "server", "-i", missing,
        "--wait-for-interface", "--service-port", String.valueOf(LiveHarness.freePort()), "--nftables", "off")
        .redirectErrorStream(true).start();
    BlockingQueue<String> lines = ProcessLines.linesOf(server.getInputStream());
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

  /**
   * Regression: SIGHUP killed the server (exit 129, no summary).
   * Without --config, SIGHUP has no file to reload:
   * it is logged and the server goes on: a knock after it is granted, and SIGTERM still stops it
   * cleanly. Run through the launcher, as users run it.
   */
  @Test
  void sighupIsLoggedAndTheServerGoesOn() throws Exception {
    ProcessLines.skipUnlessRootOrCi("ServerProcessIT");
    int port = LiveHarness.freePort();
    KnockSequence sequence = KnockSequence.of(23041, 23047, 23043);
    Process server = new ProcessBuilder(LAUNCHER, "server", "-i", "lo", "--sequence", sequence.toString(),
        "--service-port", String.valueOf(port)).redirectErrorStream(true).start();
    BlockingQueue<String> lines = ProcessLines.linesOf(server.getInputStream());
    try {
      awaitLine(lines, "listening");
      signal(server, "HUP");
      assertTrue(awaitLine(lines, "warning message SIGHUP").contains("no config file to reload"));
      assertGreeted(sequence, port);
      server.toHandle().destroy();
      assertTrue(server.waitFor(2, TimeUnit.SECONDS), "server still running 2 s after SIGTERM");
      assertEquals(0, server.exitValue(), "exit code after SIGHUP, then SIGTERM");
      assertTrue(awaitLine(lines, "summary:").contains("3 knocks, 1 granted"));
    } finally {
      server.destroyForcibly();
    }
  }

  /**
   * Regression: SIGQUIT's thread dump went to stdout, into the --json event stream. The launcher
   * passes -XX:+DisplayVMOutputToStderr: the dump goes to stderr, and every stdout line is JSON.
   */
  @Test
  void sigquitsThreadDumpStaysOutOfTheJsonEvents() throws Exception {
    ProcessLines.skipUnlessRootOrCi("ServerProcessIT");
    int port = LiveHarness.freePort();
    KnockSequence sequence = KnockSequence.of(23051, 23057, 23053);
    Process server = new ProcessBuilder(LAUNCHER, "server", "-i", "lo", "--json", "--sequence",
        sequence.toString(), "--service-port", String.valueOf(port)).start();
    BlockingQueue<String> lines = ProcessLines.linesOf(server.getInputStream());
    BlockingQueue<String> errors = ProcessLines.linesOf(server.getErrorStream());
    try {
      List<String> stdout = ProcessLines.linesUntil(lines, "\"listening\"");
      signal(server, "QUIT");
      awaitLine(errors, "Full thread dump");
      assertGreeted(sequence, port);
      server.toHandle().destroy();
      assertTrue(server.waitFor(2, TimeUnit.SECONDS), "server still running 2 s after SIGTERM");
      stdout.addAll(ProcessLines.linesUntil(lines, "\"summary\""));
      assertEveryLineIsJson(stdout);
    } finally {
      server.destroyForcibly();
    }
  }

  /**
   * Regression: with its stdout on /dev/full the server granted and served with no word at all.
   * It still grants (access must not depend on the log), says once on stderr that the log is
   * lost, and says at exit how many lines were lost.
   */
  @Test
  void aServerWhoseLogCannotBeWrittenGoesOnGrantingAndSaysSo() throws Exception {
    ProcessLines.skipUnlessRootOrCi("ServerProcessIT");
    int port = LiveHarness.freePort();
    KnockSequence sequence = KnockSequence.of(23061, 23067, 23063);
    Process server = new ProcessBuilder(ProcessLines.javaCommand(), "-jar", JAR.toString(), "server", "-i", "lo",
        "--sequence", sequence.toString(), "--service-port", String.valueOf(port))
        .redirectOutput(new java.io.File("/dev/full")).start();
    BlockingQueue<String> errors = ProcessLines.linesOf(server.getErrorStream());
    try {
      assertEquals("udpknock server: the log cannot be written to standard output (No space left on device);"
          + " knocks are still granted, and the lines lost are counted in the summary.",
          awaitLine(errors, "cannot be written"));
      assertGreeted(sequence, port);
      assertGreeted(sequence, port);
      server.toHandle().destroy();
      assertTrue(server.waitFor(2, TimeUnit.SECONDS), "server still running 2 s after SIGTERM");
      assertEquals(0, server.exitValue());
      String atExit = awaitLine(errors, "log lines were lost");
      assertTrue(atExit.matches("udpknock server: \\d+ log lines were lost, the summary among them"
          + " \\(No space left on device\\)\\."), atExit);
      List<String> rest = new java.util.ArrayList<>();
      errors.drainTo(rest);
      assertTrue(rest.stream().noneMatch(line -> line.contains("cannot be written")), "said once: " + rest);
    } finally {
      server.destroyForcibly();
    }
  }

  private static void assertGreeted(KnockSequence sequence, int port) throws IOException, InterruptedException {
    KnockClient client = new KnockClient(java.net.InetAddress.getByName("127.0.0.1"), null);
    client.knock(sequence, 0, new byte[0]);
    assertEquals("Bonjour, vous avez réussi la séquence UDP !",
        client.fetchGreeting(port, 5_000_000_000L).orElse("(no greeting)"));
  }

  private static void signal(Process process, String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -" + name);
  }

  /** Python's json module is the judge: each line must be one JSON object. */
  private static void assertEveryLineIsJson(List<String> lines) throws IOException, InterruptedException {
    Process python = new ProcessBuilder("python3", "-c", "import json, sys\n"
        + "for n, line in enumerate(sys.stdin, 1):\n"
        + "    try:\n        assert isinstance(json.loads(line), dict)\n"
        + "    except Exception as e:\n        print('line %d is not a JSON object: %r' % (n, line)); sys.exit(1)\n")
        .redirectErrorStream(true).start();
    try (java.io.Writer in = new java.io.OutputStreamWriter(python.getOutputStream(), StandardCharsets.UTF_8)) {
      in.write(String.join("\n", lines) + "\n");
    }
    String verdict = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, python.waitFor(), verdict + "\nall lines: " + lines);
    assertTrue(lines.size() >= 8, "listening, 3 knocks, granted, service-open, served, summary: " + lines);
  }

  private static String awaitLine(BlockingQueue<String> lines, String text) throws InterruptedException {
    List<String> seen = ProcessLines.linesUntil(lines, text);
    return seen.get(seen.size() - 1);
  }
}
