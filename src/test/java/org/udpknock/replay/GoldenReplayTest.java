package org.udpknock.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.udpknock.cli.Main;
import org.udpknock.core.KnockSequence;
import org.udpknock.door.DoorConfig;
import org.udpknock.door.DoorWiring;
import org.udpknock.pcapfile.CaptureFileReader;
import org.udpknock.pipeline.DestinationFilter;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.report.EventWriter;
import org.udpknock.report.Totals;

/**
 * Replays every capture in {@code pcaps/} and compares the output with the events file beside
 * it; a {@code # key:} line replays in authenticated mode with that key, a {@code # args:} line
 * adds options, and a {@code # config:} line judges the capture by the doors of that config
 * file beside it ({@code replay --config FILE}) instead of the options' one door. Recorded captures got their expectations from the scenario and tcpdump's reading of the
 * file ({@code scripts/record-pcaps}); generated ones from the generator's scenario.
 */
class GoldenReplayTest {
  static final Path PCAPS = Path.of("pcaps");

  static Stream<Path> captures() throws IOException {
    try (Stream<Path> files = Files.list(PCAPS)) {
      List<Path> captures = files.filter(GoldenReplayTest::isCapture).sorted().collect(Collectors.toList());
      return captures.stream();
    }
  }

  private static boolean isCapture(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".pcap") || name.endsWith(".pcapng");
  }

  static Path eventsFileOf(Path capture) {
    String name = capture.getFileName().toString();
    return capture.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".events");
  }

  @Test
  void thereAreCapturesToReplay() throws IOException {
    long recorded = captures().filter(p -> !p.getFileName().toString().startsWith("gen-")).count();
    long generated = captures().filter(p -> p.getFileName().toString().startsWith("gen-")).count();
    assertTrue(recorded >= 10, "recorded captures in pcaps/: " + recorded);
    assertTrue(generated >= 10, "generated captures in pcaps/: " + generated);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("captures")
  void replayYieldsTheExpectedEvents(Path capture, @TempDir Path keys) throws IOException {
    Path eventsFile = eventsFileOf(capture);
    assertTrue(Files.exists(eventsFile), "no events file beside " + capture);
    List<String> lines = Files.readAllLines(eventsFile, StandardCharsets.UTF_8);
    List<String> arguments = new ArrayList<>(List.of("replay"));
    List<String> expected = new ArrayList<>();
    for (String line : lines) {
      if (line.startsWith("# key:")) {
        Path key = org.udpknock.fixtures.TestKeys.privateCopy(capture.resolveSibling(line.substring("# key:".length()).trim()), keys);
        arguments.addAll(List.of("--secret-file", key.toString()));
      } else if (line.startsWith("# args:")) {
        arguments.addAll(Arrays.asList(line.substring("# args:".length()).trim().split(" +")));
      } else if (line.startsWith("# config:")) {
        Path config = capture.resolveSibling(line.substring("# config:".length()).trim());
        assertTrue(Files.exists(config), "no config file " + config);
        arguments.addAll(List.of("--config", config.toString()));
      } else if (!line.startsWith("#") && !line.isBlank()) {
        expected.add(line);
      }
    }
    arguments.add(capture.toString());

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), arguments.toArray(String[]::new));

    assertEquals("", err.toString(), "stderr");
    assertEquals(0, code, "exit code");
    assertEquals(String.join("\n", expected), out.toString().strip());
  }
}
