package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's models are built in code (Specs), not read from annotations (issue 11, item 3):
 * reading annotations makes the JDK generate a proxy class per annotation type at every start,
 * which the class-data archive cannot keep. Checked on the packaged jar from the JVM's own log
 * of the classes it loads, for the usage and a run of each command that captures nothing. JNA's
 * libraries are proxies by design: libpcap is pointed at a file that does not exist, so that the
 * server's preload of it (in parallel with its parsing) makes none.
 */
class AnnotationFreeStartIT {
  private static final Path JAR = Path.of("target", "udpknock.jar");

  @TempDir Path dir;

  @Test
  void noCommandGeneratesAnAnnotationProxyClass() throws Exception {
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    Path key = dir.resolve("key");
    List<List<String>> runs = new ArrayList<>(List.of(List.of("--help"), List.of("--version"),
        List.of("replay", "--quiet", "pcaps/lo-udpknock-happy.pcap"),
        List.of("knock", "127.0.0.1", "--no-connect", "--sequence", "40001,40002"),
        List.of("keygen", key.toString()), List.of("check-config", "scripts/udpknock.toml")));
    for (String command : List.of("server", "knock", "replay", "interfaces", "keygen", "check-config", "import-knockd")) {
      runs.add(List.of(command, "--help"));
    }
    for (List<String> args : runs) {
      List<String> proxies = loadedProxies(args);
      assertEquals(List.of(), proxies, "udpknock " + String.join(" ", args) + " generated proxy classes");
    }
  }

  /** The dynamic proxy classes the JVM defined while running udpknock with {@code args}. */
  private List<String> loadedProxies(List<String> args) throws Exception {
    Path log = Files.createTempFile(dir, "classes", ".log");
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Xlog:class+load=info:file=" + log, "-Dorg.pcap4j.core.pcapLibName=" + dir.resolve("no-libpcap.so"),
        "-jar", JAR.toString()));
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("out.txt").toFile()).start();
    assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command));
    assertEquals(0, process.exitValue(), String.join(" ", args) + ": "
        + Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8));
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertTrue(lines.stream().anyMatch(line -> line.contains("org.udpknock.cli.Main ")), "the log lists classes: " + log);
    return lines.stream().filter(line -> line.contains("__dynamic_proxy__")).collect(Collectors.toList());
  }
}
