package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server --config} and {@code replay --config} refuse, in one sentence with exit code 2,
 * a bad config and options that would conflict with it; all before any capture is opened.
 */
class ConfigOptionTest {
  @TempDir Path dir;

  private Path config(String text) throws IOException {
    Path file = dir.resolve("udpknock.toml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void aBadConfigIsOneSentenceWithExitCode2ThroughServer() throws IOException {
    Path file = config("[[door]]\nname = \"hello\"\nsequence = [1, 2, 3]\naction = \"teleport\"\n");
    CliRun run = CliRun.of("server", "--config", file.toString());
    assertEquals(ExitCodes.USAGE, run.code, run.err);
    assertEquals("udpknock server: " + file + " line 4: door \"hello\": unknown action \"teleport\"; an action"
        + " is one of: greet, forward, nftables, none.", run.oneLineError());
  }

  @Test
  void aMissingConfigFileIsOneSentenceWithExitCode2() {
    Path missing = dir.resolve("nowhere.toml");
    CliRun run = CliRun.of("server", "--config", missing.toString());
    assertEquals(ExitCodes.USAGE, run.code, run.err);
    assertTrue(run.oneLineError().contains(missing + " does not exist; check the path"), run.err);
  }

  @Test
  void twoListeningDoorsOnOnePortAreRefusedThroughServer() throws IOException {
    Path file = config("[[door]]\nname = \"a\"\nsequence = [1, 2, 3]\nport = 4000\n\n"
        + "[[door]]\nname = \"b\"\nsequence = [4, 5, 6]\naction = \"forward\"\nport = 4000\n"
        + "forward_to = \"127.0.0.1:22\"\n");
    CliRun run = CliRun.of("server", "--config", file.toString());
    assertEquals(ExitCodes.USAGE, run.code, run.err);
    assertTrue(run.oneLineError().contains("line 10: door \"b\": door \"a\" already listens on TCP port 4000"), run.err);
  }

  @Test
  void optionsOtherThanInterfaceAreRefusedBesideConfig() throws IOException {
    Path file = config("[[door]]\nname = \"a\"\nsequence = [1, 2, 3]\n");
    for (String option : new String[] {"--sequence=5,6,7", "--service-port=4001", "--json", "--nftables=off"}) {
      CliRun run = CliRun.of("server", "--config", file.toString(), option);
      assertEquals(ExitCodes.USAGE, run.code, option + ": " + run.err);
      String name = option.split("=")[0];
      assertTrue(run.oneLineError().contains(name + " cannot be given with --config; set it in " + file), run.err);
    }
  }

  @Test
  void replayRefusesKnockRuleOptionsBesideConfigAndABadConfig() throws IOException {
    Path file = config("[[door]]\nname = \"a\"\nsequence = [1, 2, 3]\n");
    CliRun run = CliRun.of("replay", "--config", file.toString(), "--sequence", "5,6,7", "x.pcap");
    assertEquals(ExitCodes.USAGE, run.code, run.err);
    assertTrue(run.oneLineError().contains("--sequence cannot be given with --config"), run.err);
    Path bad = config("[[door]]\nname = \"a\"\nsequence = [1, 2, 70000]\n");
    CliRun refused = CliRun.of("replay", "--config", bad.toString(), "x.pcap");
    assertEquals(ExitCodes.USAGE, refused.code, refused.err);
    assertTrue(refused.oneLineError().contains(bad + " line 3"), refused.err);
  }

  /**
   * max_sources and max_grants bound the whole server, shared by its doors: six doors fit the
   * heap that one door of the same max_sources fits (the three-door example once needed
   * 217 MB and was refused under the launcher's 128 MB), and a heap too small is still refused.
   */
  @Test
  void theDoorsShareTheBoundsSoMoreDoorsDoNotMultiplyTheMemory() throws IOException {
    StringBuilder text = new StringBuilder("max_sources = 1000000\n");
    for (int i = 0; i < 6; i++) {
      text.append("[[door]]\nname = \"d").append(i).append("\"\nsequence = [").append(1000 + i)
          .append(", 2000, 3000]\naction = \"none\"\n");
    }
    Path file = config(text.toString());
    String capture = "pcaps/lo-knockd-client-happy.pcap";
    long oneDoor = org.udpknock.core.KnockEngine.trackingBytes(1_000_000) + MemoryBudget.RESERVE_BYTES;
    java.util.function.LongSupplier saved = MemoryBudget.maxHeapBytes;
    try {
      MemoryBudget.maxHeapBytes = () -> oneDoor * 3 / 2; // six shares round up a little, not six times
      CliRun fits = CliRun.of("replay", "--config", file.toString(), capture);
      assertEquals(ExitCodes.OK, fits.code, fits.err);
      MemoryBudget.maxHeapBytes = () -> MemoryBudget.RESERVE_BYTES;
      CliRun refused = CliRun.of("replay", "--config", file.toString(), capture);
      assertEquals(ExitCodes.USAGE, refused.code, refused.err);
      assertTrue(refused.oneLineError().contains("for 6 doors")
          && refused.oneLineError().contains("lower max_sources (1000000)"), refused.err);
    } finally {
      MemoryBudget.maxHeapBytes = saved;
    }
  }
}
