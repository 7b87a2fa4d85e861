package org.udpknock.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/**
 * The capture's warm-up file: new, empty and its owner's alone, in the temporary directory, a
 * fresh name each time (made with O_EXCL, not through SecureRandom).
 */
class WarmUpFileTest {
  @Test
  void eachFileIsNewEmptyAndOnlyItsOwners() throws Exception {
    Path first = PcapCapture.createWarmUpFile();
    Path second = PcapCapture.createWarmUpFile();
    try {
      assertNotEquals(first, second);
      for (Path file : new Path[] {first, second}) {
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")), file.getParent());
        assertTrue(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS));
        assertEquals(0, Files.size(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      }
    } finally {
      Files.deleteIfExists(first);
      Files.deleteIfExists(second);
    }
  }
}
