package org.udpknock.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No waiting here: every await either finds its line already written or has a zero timeout. */
class WitnessFileTest {
  @TempDir Path dir;

  private static void append(Path file, String text) throws Exception {
    Files.writeString(file, text, UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  @Test
  void findsEachAddressByItsWholeField() throws Exception {
    Path file = dir.resolve("opened.txt");
    append(file, "127.2.0.10 200\n127.2.0.1 100\n");
    WitnessFile witness = new WitnessFile(file);
    // 127.2.0.1 is a prefix of 127.2.0.10, which comes first: it must not be taken for it.
    assertEquals(OptionalLong.of(100), witness.await("127.2.0.1", 0));
    assertEquals(OptionalLong.of(200), witness.await("127.2.0.10", 0));
    assertEquals(OptionalLong.empty(), witness.await("127.2.0.2", 0));
  }

  @Test
  void aLineCountsOnlyOnceItEnds() throws Exception {
    Path file = dir.resolve("opened.txt");
    append(file, "127.2.0.3 30");
    WitnessFile witness = new WitnessFile(file);
    assertEquals(OptionalLong.empty(), witness.await("127.2.0.3", 0), "half a line: 30 may go on");
    append(file, "0\n");
    assertEquals(OptionalLong.of(300), witness.await("127.2.0.3", 0));
  }

  @Test
  void linesAppendedLaterAreRead() throws Exception {
    Path file = dir.resolve("opened.txt");
    append(file, "127.2.0.1 1\n");
    WitnessFile witness = new WitnessFile(file);
    assertEquals(OptionalLong.of(1), witness.await("127.2.0.1", 0));
    append(file, "127.2.0.2 2\n");
    assertEquals(OptionalLong.of(2), witness.await("127.2.0.2", 0));
  }

  @Test
  void theFirstLineForAnAddressWins() throws Exception {
    Path file = dir.resolve("opened.txt");
    append(file, "127.2.0.1 5\n127.2.0.1 9\n");
    assertEquals(OptionalLong.of(5), new WitnessFile(file).await("127.2.0.1", 0));
  }

  @Test
  void otherLinesAreIgnoredAndMoreFieldsAllowed() throws Exception {
    Path file = dir.resolve("opened.txt");
    append(file, "\nOPEN 127.2.0.1\n127.2.0.1 soon\n127.2.0.1 99999999999999999999\n"
        + "127.2.0.1\n  127.2.0.1   1795544566151928519 door\n");
    assertEquals(OptionalLong.of(1795544566151928519L), new WitnessFile(file).await("127.2.0.1", 0));
  }

  @Test
  void aMissingFileIsAnEmptyOne() throws Exception {
    WitnessFile witness = new WitnessFile(dir.resolve("not-yet.txt"));
    assertEquals(OptionalLong.empty(), witness.await("127.2.0.1", 0));
    append(dir.resolve("not-yet.txt"), "127.2.0.1 7\n");
    assertEquals(OptionalLong.of(7), witness.await("127.2.0.1", 0));
  }
}
