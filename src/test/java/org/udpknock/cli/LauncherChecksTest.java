package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launchers' checks that run at every start, done with the shell's own tests instead of
 * processes (issue 11, item 3): whether the jar is older than the sources (newer_than), whether a
 * class-data archive or JNA's stub was recorded after the jar and the JVM were put in place
 * (recorded_after), the JDK's home (java_home), and the clone's root (setup.sh).
 */
class LauncherChecksTest {
  private static final Path SCRIPTS = Path.of("scripts", "lib").toAbsolutePath();
  private static final FileTime OLD = FileTime.fromMillis(1_000_000_000_000L);
  private static final FileTime NEWER = FileTime.fromMillis(1_000_000_100_000L);
  private static final FileTime NEWEST = FileTime.fromMillis(1_000_000_200_000L);

  @TempDir
  Path clone;

  private Path jar;
  private Path source;

  /** A clone of pom.xml, one source file two directories down, and a jar built after them. */
  @BeforeEach
  void aCloneBuiltAfterItsSources() throws Exception {
    Path lib = Files.createDirectories(clone.resolve("scripts/lib"));
    for (String script : List.of("setup.sh", "jvm.sh")) {
      Files.copy(SCRIPTS.resolve(script), lib.resolve(script));
    }
    source = Files.createDirectories(clone.resolve("src/main/java/org")).resolve("A.java");
    Files.writeString(source, "class A {}");
    Files.writeString(clone.resolve("pom.xml"), "<project/>");
    jar = Files.createDirectories(clone.resolve("target")).resolve("udpknock.jar");
    Files.write(jar, new byte[1]);
    for (Path path : List.of(clone.resolve("pom.xml"), source, source.getParent(), clone.resolve("src/main/java"),
        clone.resolve("src/main"))) {
      Files.setLastModifiedTime(path, OLD);
    }
    Files.setLastModifiedTime(jar, NEWER);
  }

  @Test
  void theJarIsStaleWhenASourceADirectoryOrThePomIsNewer() throws Exception {
    assertEquals("fresh", staleness());
    Files.setLastModifiedTime(source, NEWEST);
    assertEquals("stale", staleness(), "a source edited after the build");
    Files.setLastModifiedTime(source, OLD);
    Files.setLastModifiedTime(source.getParent(), NEWEST);
    assertEquals("stale", staleness(), "a directory changed after the build (a file removed from it)");
    Files.setLastModifiedTime(source.getParent(), OLD);
    Files.setLastModifiedTime(clone.resolve("pom.xml"), NEWEST);
    assertEquals("stale", staleness(), "the pom edited after the build");
    Files.setLastModifiedTime(clone.resolve("pom.xml"), OLD);
    Files.delete(jar);
    assertEquals("stale", staleness(), "no jar");
  }

  /** The check leaves the shell's glob options as they were, and the caller's directory too. */
  @Test
  void theChecksLeaveTheShellAndItsDirectoryAsTheyWere() throws Exception {
    Path elsewhere = Files.createDirectories(clone.resolve("elsewhere"));
    String out = bash(elsewhere, "CDPATH=/ . " + clone.resolve("scripts/lib/setup.sh")
        + "; jar_is_stale; echo \"$PWD|$UDPKNOCK_ROOT\"; shopt -q globstar || shopt -q nullglob || echo unset");
    assertEquals(elsewhere.toRealPath() + "|" + clone.toRealPath() + "\nunset", out);
  }

  @Test
  void anArchiveIsCurrentOnlyWhenWrittenAfterEachFileAndItsDirectoryChanged() throws Exception {
    Path archive = clone.resolve("target/cli.jsa");
    Path jvmDirectory = Files.createDirectories(clone.resolve("jvm/lib/server"));
    Path libjvm = Files.write(jvmDirectory.resolve("libjvm.so"), new byte[1]);
    Files.write(archive, new byte[1]);
    Files.setLastModifiedTime(libjvm, OLD);
    Files.setLastModifiedTime(jvmDirectory, OLD);
    Files.setLastModifiedTime(clone.resolve("target"), OLD);
    Files.setLastModifiedTime(archive, NEWEST);
    assertEquals("current", recordedAfter(archive, jar, libjvm));
    assertEquals("current", recordedAfter(archive, jar, clone.resolve("no-such-libjvm.so")), "a JVM not there is passed over");
    // dpkg renames the new file into place with its package's (older) build time.
    Files.setLastModifiedTime(jvmDirectory, FileTime.fromMillis(NEWEST.toMillis() + 1000));
    assertEquals("stale", recordedAfter(archive, jar, libjvm), "a JVM installed after the archive");
    Files.setLastModifiedTime(jvmDirectory, OLD);
    Files.setLastModifiedTime(jar, FileTime.fromMillis(NEWEST.toMillis() + 1000));
    assertEquals("stale", recordedAfter(archive, jar, libjvm), "a jar built after the archive");
    assertEquals("stale", recordedAfter(clone.resolve("target/none.jsa"), jar), "no archive");
  }

  @Test
  void theJdkHomeHoldsTheJavaOnPath() throws Exception {
    String out = bash(clone, ". " + SCRIPTS.resolve("jvm.sh") + "; java_on_path && java_home \"$java\""
        + " && [ \"$UDPKNOCK_JAVA_HOME/bin/java\" -ef \"$(command -v java)\" ] && echo same");
    assertEquals("same", out);
  }

  private String staleness() throws Exception {
    return bash(clone, ". scripts/lib/setup.sh; if jar_is_stale; then echo stale; else echo fresh; fi");
  }

  private String recordedAfter(Path file, Path... paths) throws Exception {
    StringBuilder script = new StringBuilder(". " + SCRIPTS.resolve("jvm.sh") + "; if recorded_after " + file);
    for (Path path : paths) {
      script.append(' ').append(path);
    }
    return bash(clone, script.append("; then echo current; else echo stale; fi").toString());
  }

  private static String bash(Path directory, String script) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", "-c", script));
    Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "bash did not end");
    assertEquals(0, process.exitValue(), out);
    return out;
  }
}
