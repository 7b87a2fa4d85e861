package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.server.ProcessLines;

/**
 * Issue 11, item 3: the commands start without generating proxy classes of their own, which the
 * JDK makes at every start and no class-data archive can keep. The CLI's models are built in code
 * (Specs), not read from annotations (five annotation proxies for --help before); udpknock's own
 * native bindings are JNA direct mappings, not interface mappings. Checked on the packaged jar
 * from the JVM's own log of the classes it loads. JNA's and pcap4j's own proxies are theirs: the
 * commands that capture nothing get libpcap pointed at a file that does not exist, so that the
 * server's preload of it makes none; the server itself may load pcap4j's, never one of
 * udpknock's packages.
 */
class StartWithoutProxiesIT {
  private static final Path JAR = Path.of("target", "udpknock.jar");

  @TempDir Path dir;

  @Test
  void noCommandGeneratesAProxyClass() throws Exception {
    Path key = dir.resolve("key");
    List<List<String>> runs = new ArrayList<>(List.of(List.of("--help"), List.of("--version"),
        List.of("replay", "--quiet", "pcaps/lo-udpknock-happy.pcap"),
        List.of("knock", "127.0.0.1", "--no-connect", "--sequence", "40001,40002"),
        List.of("keygen", key.toString()), List.of("check-config", "scripts/udpknock.toml")));
    for (String command : List.of("server", "knock", "replay", "interfaces", "keygen", "check-config", "import-knockd")) {
      runs.add(List.of(command, "--help"));
    }
    for (List<String> args : runs) {
      Path log = Files.createTempFile(dir, "classes", ".log");
      List<String> command = javaLoggingClasses(log, "-Dorg.pcap4j.core.pcapLibName=" + dir.resolve("no-libpcap.so"));
      command.addAll(args);
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("out.txt").toFile()).start();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command));
      assertEquals(0, process.exitValue(), String.join(" ", args) + ": " + Files.readString(dir.resolve("out.txt")));
      assertEquals(List.of(), proxies(log, ""), "udpknock " + String.join(" ", args) + " generated proxy classes");
    }
  }

  /** The server, up to 'listening' in a network namespace of its own (nftables on): none of udpknock's own. */
  @Test
  void theServerGeneratesNoProxyClassOfItsOwn() throws Exception {
    ProcessLines.skipUnlessRootOrCi("StartWithoutProxiesIT (the server)");
    String namespace = "ukpx" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    ProcessLines.run("ip", "netns", "add", namespace);
    try {
      ProcessLines.run("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");
      Path log = dir.resolve("server-classes.log");
      List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
      command.addAll(javaLoggingClasses(log));
      command.addAll(List.of("server", "-i", "lo", "--sequence", "40101,40202,40303", "--service-port", "40400"));
      Path out = dir.resolve("server.txt");
      Process server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      try {
        awaitListening(out, server);
      } finally {
        server.destroy();
        server.waitFor(10, TimeUnit.SECONDS);
      }
      assertTrue(Files.readString(log).contains("org.pcap4j.core.Pcaps "), "the log lists the capture's classes");
      assertEquals(List.of(), proxies(log, "org.udpknock."), "the server generated proxy classes of its own");
    } finally {
      ProcessLines.run("ip", "netns", "del", namespace);
    }
  }

  private static List<String> javaLoggingClasses(Path log, String... properties) {
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    List<String> command = new ArrayList<>(List.of(ProcessLines.javaCommand(), "-Xlog:class+load=info:file=" + log));
    command.addAll(List.of(properties));
    command.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
    return command;
  }

  /** The dynamic proxy classes in {@code log} whose names start with {@code prefix}. */
  private static List<String> proxies(Path log, String prefix) throws Exception {
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    assertTrue(lines.stream().anyMatch(line -> line.contains("org.udpknock.cli.Main ")), "the log lists classes: " + log);
    return lines.stream().filter(line -> line.contains("__dynamic_proxy__"))
        .filter(line -> line.contains("] " + prefix)).collect(Collectors.toList());
  }

  private static void awaitListening(Path out, Process server) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!Files.readString(out).contains(" listening ")) {
      assertTrue(server.isAlive() && System.nanoTime() < deadline, "no 'listening' within 20 s: " + Files.readString(out));
      Thread.sleep(5);
    }
  }
}
