package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The launcher gives the commands that capture JNA's native stub unpacked once into target/jna
 * (issue 11, item 3): they start without unpacking it again, so even without a temporary
 * directory JNA could write to.
 */
class LauncherLibpcapIT {
  @Test
  void interfacesNeedsNoTemporaryDirectoryForJnasStub() throws Exception {
    Assumptions.assumeTrue("x86_64".equals(System.getProperty("os.arch")) || "amd64".equals(System.getProperty("os.arch")),
        "the launcher unpacks the stub on x86-64 only");
    ProcessBuilder builder = new ProcessBuilder("scripts/udpknock", "interfaces")
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> env = builder.environment();
    // Where JNA would unpack its stub: a directory nobody can make.
    env.put("UDPKNOCK_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -Djna.tmpdir=/proc/udpknock-no-such-dir");
    Path err = Files.createTempFile("launcher", ".err");
    Process process = builder.redirectError(err.toFile()).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "launcher did not end");
    String errors = Files.readString(err);
    Files.delete(err);
    assertEquals(0, process.exitValue(), errors);
    assertTrue(out.lines().anyMatch(line -> line.contains("lo")), out);
    assertTrue(Files.isRegularFile(Path.of("target", "jna", "libjnidispatch.so")));
  }
}
