package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up failures whose noise came from libraries, seen on the packaged jar's real stderr (an
 * in-process run cannot catch what pcap4j and JNA log): each is one sentence, nothing else.
 */
class StartupMessagesIT {
  private static final Path JAR = Path.of("target", "udpknock.jar");

  @TempDir Path dir;

  /**
   * Regression: as a user without a writable JNA temporary directory, JNA's stack trace came
   * first, then the wrong sentence, "libpcap is not installed". Run as nobody, as README's
   * "Running without root" does.
   */
  @Test
  void anUnwritableJnaTemporaryDirectoryIsSaidAsSuchWithTheOptionThatFixesIt() throws Exception {
    skipUnlessRootOrCi("setpriv to the user nobody needs root");
    Path jar = Files.copy(JAR, dir.resolve("udpknock.jar"), StandardCopyOption.REPLACE_EXISTING);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
    Path unwritable = dir.resolve("jna-root-only");
    Files.createDirectory(unwritable); // owned by root, mode 0755: nobody cannot write there
    Files.setPosixFilePermissions(unwritable, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String command : List.of("interfaces", "server")) {
      Result run = run("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "env",
          "HOME=/nonexistent", javaCommand(), "-Djna.tmpdir=" + unwritable, "-jar", jar.toString(), command);
      assertEquals(1, run.code, run.err);
      assertEquals("udpknock " + command + ": JNA cannot unpack its native library: its temporary directory '"
          + unwritable + "' is not writable; give java a directory this user can write, e.g. java"
          + " -Djna.tmpdir=\"$XDG_RUNTIME_DIR/udpknock\" -jar udpknock.jar (the directory is made if its"
          + " parent is writable).", run.err.strip());
    }
  }

  /** Regression: pcap4j printed "[main] ERROR ... NANO is not supported" before the real error. */
  @Test
  void aDeviceWithoutNanosecondTimestampsFallsBackQuietly() throws Exception {
    skipUnlessRootOrCi("opening a capture needs root here");
    Result devices = run(javaCommand(), "-jar", JAR.toString(), "interfaces");
    List<String> withoutNanoseconds = new ArrayList<>();
    for (String name : List.of("nflog", "dbus-system")) {
      if (devices.out.lines().anyMatch(line -> line.startsWith(name + " "))) {
        withoutNanoseconds.add(name);
      }
    }
    Assumptions.assumeFalse(withoutNanoseconds.isEmpty(), "no nflog or dbus-system capture device here");
    for (String name : withoutNanoseconds) {
      Result run = run(javaCommand(), "-jar", JAR.toString(), "server", "-i", name, "--service-port",
          String.valueOf(freePort()));
      assertEquals(1, run.code, run.err);
      assertFalse(run.err.contains("NANO") || run.err.contains("ERROR"), run.err);
      assertEquals(1, run.err.strip().lines().count(), "one sentence: " + run.err);
      assertTrue(run.err.startsWith("udpknock server: "), run.err);
    }
  }

  private record Result(int code, String out, String err) {}

  private static Result run(String... command) throws IOException, InterruptedException {
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    assertTrue(process.waitFor(20, TimeUnit.SECONDS), String.join(" ", command));
    return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String javaCommand() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private static void skipUnlessRootOrCi(String why) throws IOException, InterruptedException {
    Process id = new ProcessBuilder("id", "-u").start();
    String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    id.waitFor();
    if (!uid.equals("0") && System.getenv("CI") == null) {
      System.out.println("SKIPPED StartupMessagesIT: " + why + " (CI runs it as root)");
      Assumptions.abort("not root");
    }
  }
}
