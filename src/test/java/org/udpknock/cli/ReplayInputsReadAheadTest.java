package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replay reads on a second thread only when its inputs hold more than one read. */
class ReplayInputsReadAheadTest {
  @TempDir Path dir;

  @Test
  void smallRegularFilesFitOneRead() throws IOException {
    assertFalse(ReplayInputs.moreThanOneRead(List.of(file("a", 1000), file("b", 2000))));
    assertFalse(ReplayInputs.moreThanOneRead(List.of(file("c", (int) ReplayInputs.ONE_READ_BYTES))));
  }

  @Test
  void largerInputsAndStreamsAreReadAhead() throws IOException {
    assertTrue(ReplayInputs.moreThanOneRead(List.of(file("big", (int) ReplayInputs.ONE_READ_BYTES + 1))));
    int half = (int) ReplayInputs.ONE_READ_BYTES / 2 + 1;
    assertTrue(ReplayInputs.moreThanOneRead(List.of(file("h1", half), file("h2", half))), "together over one read");
    assertTrue(ReplayInputs.moreThanOneRead(List.of(Path.of("-"))), "standard input");
    assertTrue(ReplayInputs.moreThanOneRead(List.of(file("small", 10), Path.of("/dev/null"))), "not a regular file");
  }

  private Path file(String name, int bytes) throws IOException {
    return Files.write(dir.resolve(name), new byte[bytes]);
  }
}
