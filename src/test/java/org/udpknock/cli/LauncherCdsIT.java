package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The launcher's class-data archive (issue 11, item 3): the first run records it, the next maps
 * it, and a stale or cut-short archive never breaks a start nor reaches stdout.
 */
class LauncherCdsIT {
  private static final Path CDS = Path.of("target", "cds");
  private static final Path ARCHIVE = CDS.resolve("keygen.jsa");

  @Test
  void theFirstRunRecordsTheArchiveAndABrokenOneIsRecordedAgain() throws Exception {
    Files.createDirectories(CDS);
    Files.deleteIfExists(ARCHIVE);
    assertEquals(usage(), run(), "first run, recording");
    assertEquals(usage(), run(), "second run: moves the recorded archive into place");
    assertTrue(Files.size(ARCHIVE) > 100_000, "an archive in place: " + ARCHIVE);
    assertEquals(usage(), run(), "third run: maps it");

    // Cut short and older than the jar: mapping it could crash the JVM, so it must not be used.
    byte[] whole = Files.readAllBytes(ARCHIVE);
    Files.delete(ARCHIVE);
    Files.write(ARCHIVE, java.util.Arrays.copyOf(whole, 4096));
    Files.setLastModifiedTime(ARCHIVE, FileTime.fromMillis(0));
    assertEquals(usage(), run(), "a stale archive is left aside and recorded again");
    run();
    assertTrue(Files.size(ARCHIVE) > 100_000, "recorded again: " + Files.size(ARCHIVE));
  }

  /** 'keygen' with no FILE: a usage error, the same text whatever the archive. */
  private static String usage() {
    return "exit 2\nstdout:\nstderr:\nudpknock keygen: Missing required parameter: 'FILE'. See 'udpknock keygen --help'.\n";
  }

  private static String run() throws IOException, InterruptedException {
    Path err = Files.createTempFile("launcher", ".err");
    Process process = new ProcessBuilder("scripts/udpknock", "keygen")
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectError(err.toFile()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "launcher did not end");
    String text = "exit " + process.exitValue() + "\nstdout:\n" + out + "stderr:\n" + Files.readString(err);
    Files.delete(err);
    return text;
  }
}
