package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench CLI's timed knock rounds (src/bench, used by scripts/bench-latency) against plain sockets. */
class KnockRoundsCommandTest {
  @TempDir Path dir;

  /** A service port that greets everyone and records who connected, in order. */
  private static final class GreetEveryone implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    final List<String> sources = new CopyOnWriteArrayList<>();
    private final Thread thread = new Thread(this::serve, "greet-everyone");

    GreetEveryone() throws Exception {
      thread.setDaemon(true);
      thread.start();
    }

    private void serve() {
      try {
        while (true) {
          try (Socket connection = socket.accept()) {
            sources.add(connection.getInetAddress().getHostAddress());
            connection.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
          }
        }
      } catch (Exception e) {
        // closed at the end of the test
      }
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws Exception {
      socket.close();
    }
  }

  /** The report's lines between its header and its summary. */
  private static List<String> roundLines(String report) {
    List<String> lines = Arrays.asList(report.split("\n"));
    int header = lines.indexOf("round source latency_ns");
    assertTrue(header >= 0, report);
    return lines.subList(header + 1, lines.size()).stream()
        .filter(line -> !line.startsWith("summary ")).collect(Collectors.toList());
  }

  private static String summaryLine(String report) {
    return Arrays.stream(report.split("\n")).filter(line -> line.startsWith("summary ")).findFirst()
        .orElseThrow(() -> new AssertionError("no summary line in: " + report));
  }

  @Test
  void latencyRoundsKnockFromOneSourceEachAndTimeTheGreeting() throws Exception {
    try (GreetEveryone service = new GreetEveryone()) {
      CliRun run = CliRun.bench("knock", "127.0.0.1", "--sequence", "9", "--service-port",
          String.valueOf(service.port()), "--source", "127.1.0.1", "--rounds", "3", "--warmup-rounds", "1",
          "--latency-report", "-");
      assertEquals(0, run.code, run.err);
      assertEquals(List.of("127.1.0.1", "127.1.0.2", "127.1.0.3", "127.1.0.4"), service.sources,
          "one connection per round, from that round's address, the warm-up first");
      List<String> rounds = roundLines(run.out);
      assertEquals(3, rounds.size(), run.out);
      for (int i = 0; i < 3; i++) {
        String[] fields = rounds.get(i).split(" ");
        assertEquals(String.valueOf(i + 1), fields[0], "rounds are numbered after the warm-ups");
        assertEquals("127.1.0." + (i + 2), fields[1]);
        assertTrue(Long.parseLong(fields[2]) > 0, rounds.get(i));
      }
      String summary = summaryLine(run.out);
      assertTrue(summary.startsWith("summary rounds=3 answered=3 missed=0 min_ns="), summary);
      assertTrue(summary.contains(" p50_ns=") && summary.contains(" p99_ns=") && summary.contains(" max_ns="),
          summary);
      assertFalse(run.out.contains("hello"), "the greetings are not printed: " + run.out);
    }
  }

  @Test
  void latencyRoundsCanTimeALineAppendedByAnotherProgram() throws Exception {
    Path witness = dir.resolve("opened.txt");
    Path report = dir.resolve("report.txt");
    long farAhead = Long.MAX_VALUE / 2; // epoch nanoseconds, in 2116: after any knock of this test
    Files.writeString(witness, "127.2.0.2 " + farAhead + "\n127.2.0.1 " + farAhead + "\n");
    CliRun run = CliRun.bench("knock", "127.0.0.1", "--sequence", "9", "--source", "127.2.0.1",
        "--rounds", "3", "--witness-file", witness.toString(), "--connect-timeout", "100ms",
        "--latency-report", report.toString());
    assertEquals(1, run.code, "round 3 had no line: " + run.out);
    assertTrue(run.oneLineError().contains("1 of 3 rounds had no answer within 100 ms"), run.err);
    String text = Files.readString(report);
    List<String> rounds = roundLines(text);
    assertEquals(3, rounds.size(), text);
    assertTrue(rounds.get(0).startsWith("1 127.2.0.1 "), text);
    assertTrue(Long.parseLong(rounds.get(1).split(" ")[2]) > 0, text);
    assertEquals("3 127.2.0.3 -", rounds.get(2));
    assertTrue(summaryLine(text).startsWith("summary rounds=3 answered=2 missed=1 "), text);
    assertTrue(text.contains("CLOCK_REALTIME"), "says which clock: " + text);
  }

  @Test
  void latencyRoundsStopAfterTenRoundsWithoutAnswer() throws Exception {
    Path witness = dir.resolve("never-written.txt");
    CliRun run = CliRun.bench("knock", "127.0.0.1", "--sequence", "9", "--source", "127.2.0.1",
        "--rounds", "50", "--witness-file", witness.toString(), "--connect-timeout", "1ms",
        "--latency-report", "-");
    assertEquals(1, run.code);
    assertTrue(run.oneLineError().contains("50 of 50 rounds had no answer")
        && run.err.contains("stopped after 10 misses"), run.err);
    assertEquals(10, roundLines(run.out).size(), run.out);
    assertEquals("summary rounds=50 answered=0 missed=50", summaryLine(run.out));
  }

  @Test
  void latencyOptionsThatCannotWorkAreUsageErrors() throws Exception {
    String report = dir.resolve("report.txt").toString();
    List<String[]> wrong = List.of(
        new String[] {"--rounds", "5"}, // no --latency-report
        new String[] {"--latency-report", "-", "--secret-file", report}, // plain knocks only
        new String[] {"--witness-file", report},
        new String[] {"--latency-report", report}, // no --source
        new String[] {"--latency-report", report, "--source", "::1"},
        new String[] {"--latency-report", report, "--source", "127.255.255.255", "--rounds", "2"},
        new String[] {"--latency-report", report, "--source", "127.1.0.1", "--rounds", "0"},
        new String[] {"--latency-report", report, "--source", "127.1.0.1", "--no-connect"});
    for (String[] options : wrong) {
      List<String> args = new ArrayList<>(List.of("knock", "127.0.0.1", "--sequence", "9"));
      args.addAll(List.of(options));
      CliRun run = CliRun.bench(args.toArray(new String[0]));
      assertEquals(2, run.code, String.join(" ", options) + ": " + run.out + run.err);
      run.oneLineError();
    }
    assertFalse(Files.exists(dir.resolve("report.txt")), "no report from a usage error");
  }
}
