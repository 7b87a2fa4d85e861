package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.udpknock.server.ProcessLines;

/** The packaged jar's replay on streams and failing outputs, as a process with real pipes. */
class ReplayProcessIT {
  private static final Path JAR = Path.of("target", "udpknock.jar");
  /** Knocks on 12001, 12002, 12003 from 127.0.0.1, recorded on lo; the first at byte 180. */
  private static final Path CAPTURE = Path.of("pcaps", "lo-udpknock-happy.pcap");
  private static final int AFTER_FIRST_KNOCK = 238;

  /**
   * Regression: standard input could not be replayed. Now {@code -} reads it, as tcpdump -r -
   * does, and events come out as the packets come in: the first knock is printed while this
   * test, the process writing into the replay's stdin, still holds the rest of the capture back.
   */
  @Test
  void standardInputIsFollowedLive() throws Exception {
    byte[] capture = Files.readAllBytes(CAPTURE);
    Process replay = start("replay", "-");
    BlockingQueue<String> lines = ProcessLines.linesOf(replay.getInputStream());
    try (OutputStream stdin = replay.getOutputStream()) {
      stdin.write(capture, 0, AFTER_FIRST_KNOCK);
      stdin.flush();
      assertTrue(awaitLine(lines, "port 12001 stage 1/3").endsWith("knock default 127.0.0.1 port 12001 stage 1/3"));
      assertTrue(lines.isEmpty(), "nothing but the first knock yet: " + lines);
      stdin.write(capture, AFTER_FIRST_KNOCK, capture.length - AFTER_FIRST_KNOCK);
    }
    assertTrue(replay.waitFor(10, TimeUnit.SECONDS), "replay still running after its stdin closed");
    assertEquals(0, replay.exitValue(), stderrOf(replay));
    awaitLine(lines, "granted default 127.0.0.1");
    assertTrue(awaitLine(lines, "summary:").startsWith("summary: 8 packets, 3 knocks, 1 granted"));
  }

  /** Regression: both printed "summary: 0 packets", then called the input empty, exit code 1. */
  @Test
  void devStdinAndProcessSubstitutionAreReadOnce() throws Exception {
    String jar = ProcessLines.javaCommand() + " -jar " + JAR;
    for (String pipeline : List.of("cat " + CAPTURE + " | " + jar + " replay /dev/stdin",
        jar + " replay <(cat " + CAPTURE + ")", "cat pcaps/gen-pcapng-interfaces.pcapng | " + jar + " replay -")) {
      Process shell = new ProcessBuilder("bash", "-c", pipeline).start();
      String out = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(shell.waitFor(10, TimeUnit.SECONDS), pipeline);
      assertEquals(0, shell.exitValue(), pipeline + ": " + stderrOf(shell));
      assertTrue(out.contains("granted default "), pipeline + ": " + out);
      assertFalse(out.contains("summary: 0 packets"), pipeline + ": " + out);
    }
  }

  /** Regression: replay > /dev/full exited 0, its events lost without a word. */
  @Test
  void aFullOutputIsOneSentenceAndExitCode1() throws Exception {
    Process replay = new ProcessBuilder(ProcessLines.javaCommand(), "-jar", JAR.toString(), "replay", CAPTURE.toString())
        .redirectOutput(new File("/dev/full")).start();
    assertTrue(replay.waitFor(10, TimeUnit.SECONDS));
    String err = stderrOf(replay).strip();
    assertEquals(1, replay.exitValue(), err);
    assertEquals("udpknock replay: could not write the events to standard output (No space left on device);"
        + " check the disk or the program reading them.", err);
  }

  /** A reader that goes away ({@code | head -1}) is EPIPE to the JVM: the replay stops, exit code 1. */
  @Test
  void aReaderThatGoesAwayStopsTheReplay() throws Exception {
    Process shell = new ProcessBuilder("bash", "-c", "set -o pipefail; (cat " + CAPTURE + "; sleep 1;"
        + " for i in $(seq 2000); do tail -c +25 " + CAPTURE + "; done) | " + ProcessLines.javaCommand() + " -jar " + JAR
        + " replay - | head -1").start();
    String out = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(shell.waitFor(20, TimeUnit.SECONDS));
    String err = stderrOf(shell);
    assertEquals(1, out.lines().count(), out);
    assertEquals(1, shell.exitValue(), err);
    assertTrue(err.contains("udpknock replay: could not write the events to standard output (Broken pipe)"), err);
  }

  private static Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessLines.javaCommand(), "-jar", JAR.toString()));
    command.addAll(List.of(args));
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    return new ProcessBuilder(command).start();
  }

  private static String stderrOf(Process process) throws IOException {
    return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  /** The first line containing {@code text}, at most 10 s on. */
  private static String awaitLine(BlockingQueue<String> lines, String text) throws InterruptedException {
    List<String> seen = ProcessLines.linesUntil(lines, text);
    return seen.get(seen.size() - 1);
  }
}
