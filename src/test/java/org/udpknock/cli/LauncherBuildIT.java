package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The builds a new user sees from a clone (issue 12), in a copy of this tree without target/: the
 * launcher's build prints one line and keeps Maven's output in target/build.log; a build after it
 * (scripts/test's Maven command) shades the plain jar, not the shaded one again (it printed ~70
 * "overlapping classes" warnings); no output holds an ESC byte (Debian's Maven 3.8 wrote colour
 * resets even with -Dstyle.color=never); and a failed build ends with one sentence naming the log.
 */
class LauncherBuildIT {
  private static final String BUILDING =
      "udpknock: building target/udpknock.jar and target/udpknock-bench.jar (log: target/build.log)";

  @TempDir Path clone;

  private record Run(int code, String out, String err) {}

  @Test
  void buildsFromACloneAreQuietNeverShadeTwiceAndAFailureNamesItsLog() throws Exception {
    copyTree();
    Run first = run("scripts/udpknock", "--version");
    assertEquals(new Run(0, "udpknock " + System.getProperty("udpknock.version", "0.1.0-SNAPSHOT") + "\n",
        BUILDING + "\n"), first);
    String log = Files.readString(clone.resolve("target/build.log"));
    assertTrue(log.contains("BUILD SUCCESS"), log);
    assertFalse(log.contains("\u001b"), "an ESC byte in the launcher's build log");

    // scripts/test's Maven command (its tests skipped here), right after the launcher's build.
    Run second = run("mvn", "-B", "-ntp", "-Dstyle.color=never", "-DskipTests", "verify");
    assertEquals(0, second.code(), second.out() + second.err());
    String output = second.out() + second.err();
    assertFalse(output.contains("overlapping classes"), output);
    assertFalse(output.contains("\u001b"), "an ESC byte in the output of scripts/test's build");

    Path main = clone.resolve("src/main/java/org/udpknock/cli/Main.java");
    Files.writeString(main, Files.readString(main) + "\nthis does not compile\n");
    Run broken = run("scripts/udpknock", "--version");
    assertEquals(1, broken.code(), broken.err());
    assertEquals("", broken.out());
    List<String> lines = broken.err().lines().toList();
    assertEquals(BUILDING, lines.get(0));
    assertTrue(lines.stream().anyMatch(line -> line.startsWith("[ERROR]") && line.contains("Main.java")), broken.err());
    assertEquals("udpknock: the build failed (mvn -DskipTests package); Maven's full output is in "
        + clone.toRealPath().resolve("target/build.log"), lines.get(lines.size() - 1));
    assertFalse(broken.err().contains("\u001b"), "an ESC byte in the launcher's error output");
    String failedLog = Files.readString(clone.resolve("target/build.log"));
    assertTrue(failedLog.contains("[INFO]") && failedLog.contains("BUILD FAILURE"), failedLog);
  }

  /** What a clone holds that a build reads: pom.xml, .mvn/, scripts/ and src/. */
  private void copyTree() throws IOException {
    Files.copy(Path.of("pom.xml"), clone.resolve("pom.xml"));
    for (String dir : List.of(".mvn", "scripts", "src")) {
      if (!Files.isDirectory(Path.of(dir))) {
        continue;
      }
      try (Stream<Path> files = Files.walk(Path.of(dir))) {
        files.forEach(this::copy);
      }
    }
  }

  private void copy(Path source) {
    try {
      Path target = clone.resolve(source.toString());
      if (Files.isDirectory(source)) {
        Files.createDirectories(target);
      } else {
        Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** COMMAND in the copy, without class-data archives (not what is tested, and slower); at most 10 minutes. */
  private Run run(String... command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("build", ".out");
    Path err = Files.createTempFile("build", ".err");
    ProcessBuilder builder = new ProcessBuilder(command).directory(clone.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().put("UDPKNOCK_CDS", "off");
    Process process = builder.start();
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
    }
    assertFalse(process.isAlive(), String.join(" ", command) + " still running after 10 minutes");
    Run run = new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return run;
  }
}
