package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which compilers scripts/lib/jvm.sh gives each command at start (issue 11, item 3): C1 alone for
 * short commands and a replay of little, C2 too for a replay of much (more than 256 MiB of files,
 * or a FIFO or standard input, whose length is unknown). The server's C1 comes with its memory
 * options, which UDPKNOCK_JAVA_OPTS replaces.
 */
class LauncherCompilersTest {
  private static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

  @TempDir
  Path dir;

  @Test
  void aReplayOfASmallFileCompilesWithC1Alone() throws Exception {
    Path small = Files.write(dir.resolve("small.pcap"), new byte[24]);
    assertTrue(startOptions("replay", "--quiet", small.toString()).contains(C1_ONLY));
  }

  @Test
  void aReplayOfMoreThan256MibOrOfAStreamKeepsC2() throws Exception {
    Path large = sparse("large.pcap", (256L << 20) + 1);
    Path half = sparse("half.pcap", 200L << 20);
    Path fifo = dir.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    assertEquals(false, startOptions("replay", large.toString()).contains(C1_ONLY), "one large file");
    assertEquals(false, startOptions("replay", half.toString(), half.toString()).contains(C1_ONLY), "400 MiB in two");
    assertEquals(false, startOptions("replay", "--json", "-").contains(C1_ONLY), "standard input");
    assertEquals(false, startOptions("replay", fifo.toString()).contains(C1_ONLY), "a FIFO");
    assertTrue(startOptions("replay", "--seq-timeout", "30s", half.toString()).contains(C1_ONLY), "200 MiB");
  }

  @Test
  void shortCommandsCompileWithC1Alone() throws Exception {
    assertTrue(startOptions("knock", "127.0.0.1").contains(C1_ONLY));
    assertTrue(startOptions("--help").contains(C1_ONLY));
  }

  private Path sparse(String name, long length) throws IOException {
    Path file = dir.resolve(name);
    try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
      out.setLength(length);
    }
    return file;
  }

  /** start_options of jvm.sh for the command line, class-data sharing off (it would look at target/). */
  private static List<String> startOptions(String... commandLine) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", "-c",
        ". scripts/lib/jvm.sh; start_options \"$@\"; printf '%s\\n' \"${UDPKNOCK_START_OPTS[@]}\"", "bash"));
    command.addAll(List.of(commandLine));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("UDPKNOCK_CDS", "off");
    builder.environment().put("UDPKNOCK_JAR", "target/udpknock.jar");
    builder.environment().put("UDPKNOCK_CACHE", "target");
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), "bash did not end");
    assertEquals(0, process.exitValue(), out);
    return out.lines().toList();
  }
}
