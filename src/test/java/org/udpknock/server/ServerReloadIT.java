package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.client.KnockClient;
import org.udpknock.core.KnockSequence;

/**
 * The packaged server with --config, reloaded by a real SIGHUP: an attempt begun before it is
 * granted after it, the unchanged door's grant lives on, the removed door's grant ends and its
 * port closes, the new door (outside the old capture filter) grants, and a broken file is one
 * reload-failed line while the doors go on. On the host's lo with {@code nftables = "off"}.
 */
class ServerReloadIT {
  private static final Path JAR = Path.of("target", "udpknock.jar");
  private static final String GREETING = "Bonjour, vous avez réussi la séquence UDP !";
  @TempDir Path dir;

  @Test
  void sighupReloadsTheDoorsOfTheFile() throws Exception {
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    ProcessLines.skipUnlessRootOrCi("ServerReloadIT");
    KnockSequence keep = LiveHarness.randomSequence();
    KnockSequence gone = LiveHarness.randomSequence();
    KnockSequence added = LiveHarness.randomSequence();
    int keepPort = LiveHarness.freePort();
    int gonePort = LiveHarness.freePort();
    int addedPort = LiveHarness.freePort();
    Path file = dir.resolve("udpknock.toml");
    String head = "interface = \"lo\"\nnftables = \"off\"\nmax_sources = 300000\n\n";
    Files.writeString(file, head + greet("keep", keep, keepPort) + greet("gone", gone, gonePort));
    Process server = new ProcessBuilder(ProcessLines.javaCommand(), "-Xmx128m", "-XX:+UseSerialGC", "-jar", JAR.toString(),
        "server", "--config", file.toString()).redirectErrorStream(true).start();
    BlockingQueue<String> lines = ProcessLines.linesOf(server.getInputStream());
    try {
      ProcessLines.awaitLine(lines, "door-ready gone");
      KnockClient client = new KnockClient(InetAddress.getByName("127.0.0.1"), null);
      client.knock(keep, 0, new byte[0]);
      assertEquals(GREETING, client.fetchGreeting(keepPort, 5_000_000_000L).orElse("(none)"));
      client.knock(gone, 0, new byte[0]);
      ProcessLines.awaitLine(lines, "service-open gone port " + gonePort);
      knock(keep.port(0));
      knock(keep.port(1));
      ProcessLines.awaitLine(lines, "knock keep 127.0.0.1 port " + keep.port(1) + " stage 2/3");

      Files.writeString(file, head + greet("keep", keep, keepPort) + greet("added", added, addedPort));
      signal(server, "HUP");
      List<String> reload = ProcessLines.linesUntil(lines, "reloaded file " + file + " doors 2 kept 1 added 1 removed 1");
      assertTrue(reload.stream().anyMatch(line -> line.contains("grant-expired gone 127.0.0.1")), reload.toString());
      if (reload.stream().noneMatch(line -> line.contains("service-closed gone port " + gonePort))) {
        ProcessLines.awaitLine(lines, "service-closed gone port " + gonePort); // The action thread may log it after the reload's line.
      }
      assertThrows(IOException.class, () -> connect(gonePort), "the removed door's port is closed");
      knock(keep.port(2));
      ProcessLines.awaitLine(lines, "granted keep 127.0.0.1");
      assertEquals(GREETING, client.fetchGreeting(keepPort, 5_000_000_000L).orElse("(none)"));
      client.knock(added, 0, new byte[0]);
      ProcessLines.awaitLine(lines, "granted added 127.0.0.1");
      assertEquals(GREETING, client.fetchGreeting(addedPort, 5_000_000_000L).orElse("(none)"));

      Files.writeString(file, head + greet("keep", keep, keepPort) + "colour = \"blue\"\n");
      signal(server, "HUP");
      List<String> tail = ProcessLines.linesUntil(lines, "reload-failed");
      String failed = tail.get(tail.size() - 1);
      assertTrue(failed.contains("reload-failed file " + file + " error ") && failed.contains("colour"), failed);
      assertTrue(tail.stream().noneMatch(line -> line.contains("grant-expired") || line.contains("reloaded")), tail.toString());
      client.knock(added, 0, new byte[0]);
      ProcessLines.awaitLine(lines, "granted added 127.0.0.1");

      server.toHandle().destroy();
      assertTrue(server.waitFor(2, TimeUnit.SECONDS), "server still running 2 s after SIGTERM");
      assertEquals(0, server.exitValue(), "exit code after SIGHUPs, then SIGTERM");
    } finally {
      server.destroyForcibly();
    }
  }

  private static String greet(String name, KnockSequence sequence, int port) {
    return "[[door]]\nname = \"" + name + "\"\nsequence = [" + sequence.toString().replace(",", ", ") + "]\n"
        + "action = \"greet\"\nport = " + port + "\n\n";
  }

  private static void knock(int port) throws IOException {
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.send(new DatagramPacket(new byte[0], 0, InetAddress.getByName("127.0.0.1"), port));
    }
  }

  private static void connect(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
    }
  }

  private static void signal(Process process, String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -" + name);
  }
}
