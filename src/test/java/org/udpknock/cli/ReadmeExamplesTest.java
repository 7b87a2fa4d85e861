package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's replay examples print what the committed captures print today (issue 12): they
 * had been pasted from captures that were later re-recorded, and showed times no capture holds.
 */
class ReadmeExamplesTest {
  private static final Path README = Path.of("README.md");

  @Test
  void everyReplayExampleIsWhatItsCaptureReplaysToday() throws IOException {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    List<String> readmeLines = readme.lines().toList();
    List<String> regenerated = ReadmeExamples.regenerate(readme).lines().toList();
    for (int i = 0; i < Math.min(readmeLines.size(), regenerated.size()); i++) {
      assertEquals(regenerated.get(i), readmeLines.get(i), "README.md line " + (i + 1)
          + " has drifted from its capture: run scripts/update-readme-examples");
    }
    assertEquals(regenerated.size(), readmeLines.size(), "README.md's examples have drifted: run scripts/update-readme-examples");
  }

  /** Each block that shows a replay's output is a generated one, so none can be pasted again. */
  @Test
  void everyReplayBlockInTheReadmeIsMarked() throws IOException {
    List<String> lines = Files.readAllLines(README, StandardCharsets.UTF_8);
    int marked = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains("udpknock replay ") && lines.get(i).startsWith("$ ")) {
        assertEquals(ReadmeExamples.MARKER, i >= 2 ? lines.get(i - 2) : "",
            "README.md line " + (i + 1) + " shows a replay without the marker two lines above");
        marked++;
      }
    }
    assertEquals(marked, ReadmeExamples.commands(String.join("\n", lines)).size());
    assertTrue(marked >= 2, "the text and the --json example: " + marked);
  }

  @Test
  void aStaleExampleIsRewrittenAndTheRestKept() {
    String stale = String.join("\n", "intro", ReadmeExamples.MARKER, "```",
        "$ scripts/udpknock replay --quiet pcaps/lo-interleaved.pcap", "2000-01-01T00:00:00.000000Z stale", "```",
        "after", "");
    assertEquals(String.join("\n", "intro", ReadmeExamples.MARKER, "```",
        "$ scripts/udpknock replay --quiet pcaps/lo-interleaved.pcap",
        "2026-11-24T19:40:05.547771Z granted default 127.0.0.3",
        "2026-11-24T19:40:05.549614Z granted default 127.0.0.2",
        "summary default: 8 knocks, 2 granted, 0 guard hits, 0 blocked knocks",
        "summary: 18 packets, 8 knocks, 2 granted, 0 guard hits, 0 blocked knocks, 0 skipped"
            + " (truncated 0, malformed 0, unknown-link-type 0)",
        "```", "after", ""), ReadmeExamples.regenerate(stale));
  }

  @Test
  void aMarkerWithoutAReplayBlockIsAnError() {
    assertThrows(IllegalArgumentException.class,
        () -> ReadmeExamples.regenerate(ReadmeExamples.MARKER + "\n```\n$ ls\n```\n"));
    assertThrows(IllegalArgumentException.class,
        () -> ReadmeExamples.regenerate(ReadmeExamples.MARKER + "\n```\n$ scripts/udpknock replay x.pcap\n"));
  }
}
