package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
 * The packaged {@code server --config FILE}, with the launcher's heap, on the issue's example
 * file shape (a greet, a forward and an {@code action = "none"} door with on_open): it starts, logs each door, and grants each door's knock with the
 * door's name in the events. On the host's lo with {@code nftables = "off"}, so that no table
 * is left in its ruleset; random sequences and ports of its own. {@code max_sources = 300000}
 * keeps the tables small; the doors share it (see {@code DoorWiring.share}).
 */
class ServerConfigIT {
  private static final Path JAR = Path.of("target", "udpknock.jar");

  @TempDir Path dir;

  @Test
  void theIssuesExampleShapeStartsLogsEachDoorAndGrantsEachKnock() throws Exception {
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    ProcessLines.skipUnlessRootOrCi("ServerConfigIT");
    KnockSequence hello = LiveHarness.randomSequence();
    KnockSequence relay = LiveHarness.randomSequence();
    KnockSequence cmd = LiveHarness.randomSequence();
    int greetPort = LiveHarness.freePort();
    int forwardPort = LiveHarness.freePort();
    Path opened = dir.resolve("opened.txt");
    try (ServerSocket echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      startEcho(echo);
      Path file = dir.resolve("udpknock.toml");
      Files.writeString(file, "interface = \"lo\"\nnftables = \"off\"\nmax_sources = 300000\n\n"
          + door("hello", hello) + "action = \"greet\"\nport = " + greetPort + "\n\n"
          + door("ssh-relay", relay) + "action = \"forward\"\nport = " + forwardPort
          + "\nforward_to = \"127.0.0.1:" + echo.getLocalPort() + "\"\n\n"
          + door("knockd-like", cmd) + "action = \"none\"\n"
          + "on_open = [\"/bin/sh\", \"-c\", \"echo %IP% %DOOR% >> " + opened + "\"]\n");
      Process server = new ProcessBuilder(ProcessLines.javaCommand(), "-Xmx128m", "-XX:+UseSerialGC", "-jar", JAR.toString(),
          "server", "--config", file.toString()).redirectErrorStream(true).start();
      BlockingQueue<String> lines = ProcessLines.linesOf(server.getInputStream());
      try {
        List<String> start = ProcessLines.linesUntil(lines, "door-ready knockd-like");
        assertTrue(start.stream().anyMatch(l -> l.contains(" listening interface lo ")), start.toString());
        assertTrue(start.stream().anyMatch(l -> l.endsWith("door-ready hello sequence " + hello + " action greet port "
            + greetPort)), start.toString());
        assertTrue(start.stream().anyMatch(l -> l.contains("door-ready ssh-relay sequence " + relay
            + " action forward port " + forwardPort)), start.toString());

        KnockClient client = new KnockClient(InetAddress.getByName("127.0.0.1"), null);
        client.knock(hello, 0, new byte[0]);
        assertEquals(ServerConfig.DEFAULT_GREETING, client.fetchGreeting(greetPort, 5_000_000_000L).orElse("(none)"));
        ProcessLines.awaitLine(lines, "granted hello 127.0.0.1");
        client.knock(relay, 0, new byte[0]);
        ProcessLines.awaitLine(lines, "granted ssh-relay 127.0.0.1");
        assertEquals("hello backend", relayed(forwardPort, "hello backend"));
        client.knock(cmd, 0, new byte[0]);
        ProcessLines.awaitLine(lines, "granted knockd-like 127.0.0.1");
        ProcessLines.awaitLine(lines, "command knockd-like 127.0.0.1 hook on-open exit 0");
        assertEquals("127.0.0.1 knockd-like\n", Files.readString(opened));

        server.toHandle().destroy(); // SIGTERM
        assertTrue(server.waitFor(5, TimeUnit.SECONDS), "server still running 5 s after SIGTERM");
        assertEquals(0, server.exitValue(), "exit code after SIGTERM");
        List<String> end = ProcessLines.linesUntil(lines, "summary:");
        for (String name : List.of("hello", "ssh-relay", "knockd-like")) {
          assertTrue(end.stream().anyMatch(l -> l.startsWith("summary " + name + ": 3 knocks, 1 granted")), end.toString());
        }
      } finally {
        server.destroyForcibly();
      }
    }
  }

  private static String door(String name, KnockSequence sequence) {
    return "[[door]]\nname = \"" + name + "\"\nsequence = [" + sequence.toString().replace(",", ", ") + "]\n";
  }

  private static String relayed(int port, String text) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout(3000);
      socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      socket.shutdownOutput();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static void startEcho(ServerSocket server) {
    Thread thread = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket socket = server.accept(); InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream()) {
          in.transferTo(out);
        } catch (IOException e) {
          // closed at the end of the test
        }
      }
    }, "echo-backend");
    thread.setDaemon(true);
    thread.start();
  }
}
