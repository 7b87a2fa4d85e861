package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, what held up: the packaged keygen under umask 000 (which a JVM cannot set for
 * itself, hence a shell) still writes mode 0600, and never overwrites a file nor follows a
 * symlink at its path.
 */
class KeygenUmaskIT {
  private static final Path JAR = Path.of("target", "udpknock.jar").toAbsolutePath();
  @TempDir Path dir;

  private record Run(int code, String output) {}

  /** {@code udpknock keygen FILE} under umask 000; the shell's first line is the umask it set. */
  private static Run keygenUnderUmask000(Path file) throws IOException, InterruptedException {
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process = new ProcessBuilder("sh", "-c", "umask 000; umask; exec \"$0\" -jar \"$1\" keygen \"$2\"",
        java, JAR.toString(), file.toString()).redirectErrorStream(true).start();
    assertTrue(process.waitFor(20, TimeUnit.SECONDS), "keygen still running after 20 s");
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals("0000", output.lines().findFirst().orElse(""), "the umask keygen ran under: " + output);
    return new Run(process.exitValue(), output);
  }

  private static String mode(Path file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  @Test
  void aNewKeyIsMode0600() throws Exception {
    Path key = dir.resolve("knock.key");
    Run run = keygenUnderUmask000(key);
    assertEquals(0, run.code(), run.output());
    assertEquals("rw-------", mode(key));
    assertTrue(Files.readString(key).matches("[0-9a-f]{64}\nserver-id [0-9a-f]{16}\n"), Files.readString(key));
  }

  @Test
  void anExistingFileIsNeverOverwritten() throws Exception {
    Path key = Files.writeString(dir.resolve("knock.key"), "precious\n");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    Run run = keygenUnderUmask000(key);
    assertEquals(1, run.code(), run.output());
    assertTrue(run.output().contains("never overwrites"), run.output());
    assertEquals("precious\n", Files.readString(key));
    assertEquals("rw-r--r--", mode(key), "not even its mode changes");
  }

  @Test
  void aSymlinkToAnExistingFileIsNotFollowed() throws Exception {
    Path target = Files.writeString(dir.resolve("precious"), "precious\n");
    Path link = Files.createSymbolicLink(dir.resolve("knock.key"), target);
    Run run = keygenUnderUmask000(link);
    assertEquals(1, run.code(), run.output());
    assertEquals("precious\n", Files.readString(target));
    assertTrue(Files.isSymbolicLink(link), "the link is left as it was");
  }

  @Test
  void aDanglingSymlinkIsNotFollowed() throws Exception {
    Path target = dir.resolve("chosen-by-the-link-owner");
    Path link = Files.createSymbolicLink(dir.resolve("knock.key"), target);
    Run run = keygenUnderUmask000(link);
    assertEquals(1, run.code(), run.output());
    assertFalse(Files.exists(target), "no file created through the link");
    assertTrue(Files.isSymbolicLink(link), "the link is left as it was");
  }
}
