package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, what held up: keygen never follows a symlink at its path, whether the link points at
 * a file that exists (which would be overwritten) or at none (which would be created where the
 * link's owner chose). {@code KeygenUmaskIT} does the same under umask 000.
 */
class KeygenSymlinkTest {
  @TempDir Path dir;

  @Test
  void aSymlinkToAnExistingFileIsNotFollowedAndTheTargetIsUnchanged() throws IOException {
    Path target = Files.writeString(dir.resolve("precious"), "precious\n");
    Path link = Files.createSymbolicLink(dir.resolve("knock.key"), target);
    CliRun run = CliRun.of("keygen", link.toString());
    assertEquals(1, run.code, run.err);
    assertTrue(run.oneLineError().contains("never overwrites"), run.err);
    assertEquals("precious\n", Files.readString(target), "the target is untouched");
    assertTrue(Files.isSymbolicLink(link), "the link is left as it was");
  }

  @Test
  void aDanglingSymlinkIsNotFollowedAndItsTargetIsNotCreated() throws IOException {
    Path target = dir.resolve("chosen-by-the-link-owner");
    Path link = Files.createSymbolicLink(dir.resolve("knock.key"), target);
    CliRun run = CliRun.of("keygen", link.toString());
    assertEquals(1, run.code, run.err);
    assertTrue(run.oneLineError().contains("already exists"), run.err);
    assertFalse(Files.exists(target), "no file created through the link");
    assertTrue(Files.isSymbolicLink(link), "the link is left as it was");
  }
}
