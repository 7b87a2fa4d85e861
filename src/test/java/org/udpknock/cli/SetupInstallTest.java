package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up's installs (scripts/lib/setup.sh {@code need}) say what they install in one line and
 * keep apt's and dpkg's output in a log, named in one sentence when the install fails (issue 12:
 * the first launch printed 428 lines of it). apt-get is a stand-in on PATH that writes as much as
 * the real one does, debconf's complaints included, and {@code id} one that says root, so that
 * nothing is installed on this machine.
 */
class SetupInstallTest {
  private static final String NOISE = "debconf: delaying package configuration, since apt-utils is not installed";

  @TempDir Path clone;
  private Path bin;
  private Path installed;

  @BeforeEach
  void standIns() throws IOException {
    Files.createDirectories(clone.resolve("scripts/lib"));
    Files.copy(Path.of("scripts/lib/setup.sh"), clone.resolve("scripts/lib/setup.sh"));
    Files.copy(Path.of("scripts/lib/jvm.sh"), clone.resolve("scripts/lib/jvm.sh")); // setup.sh sources it
    bin = Files.createDirectories(clone.resolve("bin"));
    installed = clone.resolve("installed");
    script("id", "echo 0");
    script("apt-get", "echo \"apt-get $* DEBIAN_FRONTEND=$DEBIAN_FRONTEND\"",
        "for i in $(seq 200); do echo \"Unpacking udpknock-fake$i ...\"; echo '" + NOISE + "' >&2; done",
        "case \" $* \" in *' install '*) [ -z \"${APT_FAILS:-}\" ] || exit 100; touch '" + installed + "' ;; esac");
  }

  private void script(String name, String... lines) throws IOException {
    Path file = bin.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + String.join("\n", lines) + "\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private record Run(int code, String out, String err) {}

  /** {@code need udpknock-fake test -e INSTALLED} in a shell that sourced the clone's setup.sh. */
  private Run need(boolean aptFails) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder("bash", "-c",
        ". \"$0/scripts/lib/setup.sh\"; need udpknock-fake test -e \"$1\"", clone.toString(), installed.toString())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
    builder.environment().put("TMPDIR", clone.toString());
    if (aptFails) {
      builder.environment().put("APT_FAILS", "1");
    }
    Path err = Files.createTempFile(clone, "need", ".err");
    Process process = builder.redirectError(err.toFile()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "need did not end");
    return new Run(process.exitValue(), out, Files.readString(err));
  }

  @Test
  void anInstallIsOneLineAndAptsOutputGoesToTheLog() throws Exception {
    Run run = need(false);
    Path log = clone.resolve("target/setup.log");
    assertEquals(new Run(0, "", "udpknock: installing udpknock-fake (log: " + log + ")\n"), run);
    String logged = Files.readString(log);
    assertEquals(400, logged.lines().filter(NOISE::equals).count(), "update's and install's noise, kept");
    List<String> calls = logged.lines().filter(line -> line.startsWith("apt-get ")).collect(Collectors.toList());
    assertEquals(List.of(
        "apt-get -qq -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300 update DEBIAN_FRONTEND=noninteractive",
        "apt-get -qq -o Dpkg::Use-Pty=0 -o DPkg::Lock::Timeout=300 install -y --no-install-recommends udpknock-fake"
            + " DEBIAN_FRONTEND=noninteractive"), calls);
  }

  @Test
  void aFailedInstallNamesItsLogInOneSentence() throws Exception {
    Run run = need(true);
    Path log = clone.resolve("target/setup.log");
    assertEquals(new Run(1, "", "udpknock: installing udpknock-fake (log: " + log + ")\n"
        + "udpknock: installing udpknock-fake failed: apt-get's output is in " + log + "\n"), run);
    assertTrue(Files.readString(log).contains(NOISE));
  }

  /** A clone whose target/ cannot be made (here a file holds its name) logs to a new file in TMPDIR. */
  @Test
  void withoutATargetDirectoryTheLogIsANewTemporaryFile() throws Exception {
    Files.writeString(clone.resolve("target"), "not a directory\n");
    Run run = need(true);
    List<String> lines = run.err().lines().toList();
    assertEquals(1, run.code(), run.err());
    assertEquals(2, lines.size(), run.err());
    String logName = lines.get(1).replaceFirst("^udpknock: installing udpknock-fake failed: apt-get's output is in ", "");
    assertTrue(logName.matches(java.util.regex.Pattern.quote(clone.toString()) + "/udpknock-setup\\.\\w{6}\\.log"), run.err());
    assertEquals("udpknock: installing udpknock-fake (log: " + logName + ")", lines.get(0));
    assertTrue(Files.readString(Path.of(logName)).contains(NOISE));
  }
}
