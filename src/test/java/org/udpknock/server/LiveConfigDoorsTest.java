package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.udpknock.server.LiveHarness.SECOND;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.client.KnockClient;
import org.udpknock.config.ConfigFile;
import org.udpknock.core.KnockSequence;

/**
 * A config file's doors through the real server on lo (libpcap, real sockets, real processes):
 * a greet door, a forward door to an echo backend, and an {@code action = "none"} door with
 * commands, as the example file has them, each with a random sequence of its own. The
 * expiry is driven by moving the server's clock, never by sleeping.
 */
class LiveConfigDoorsTest {
  @TempDir Path dir;
  private LiveHarness live;
  private ServerSocket echo;

  @AfterEach
  void stop() throws Exception {
    if (live != null) {
      live.close();
    }
    if (echo != null) {
      echo.close();
    }
  }

  @Test
  void eachDoorOfTheFileActsOnItsOwnKnockWithItsNameInTheEvents() throws Exception {
    KnockSequence hello = LiveHarness.randomSequence();
    KnockSequence relay = LiveHarness.randomSequence();
    KnockSequence cmd = LiveHarness.randomSequence();
    int greetPort = LiveHarness.freePort();
    int forwardPort = LiveHarness.freePort();
    echo = startEcho();
    Path opened = dir.resolve("opened.txt");
    Path file = dir.resolve("udpknock.toml");
    Files.writeString(file, "interface = \"lo\"\n\n"
        + door("hello", hello) + "action = \"greet\"\nport = " + greetPort + "\n\n"
        + door("relay", relay) + "action = \"forward\"\nport = " + forwardPort + "\nforward_to = \"127.0.0.1:"
        + echo.getLocalPort() + "\"\n\n"
        + door("cmd", cmd) + "action = \"none\"\nopen_for = \"30s\"\n"
        + "on_open = [\"/bin/sh\", \"-c\", \"echo open %IP% %DOOR% >> " + opened + "\"]\n"
        + "on_close = [\"/bin/sh\", \"-c\", \"echo close %IP% %DOOR% >> " + opened + "\"]\n");
    live = LiveHarness.start(ServerConfig.of(ConfigFile.load(file), "lo"));
    live.awaitLog("door-ready cmd");
    assertTrue(live.log().contains("door-ready hello sequence " + hello + " action greet port " + greetPort), live.log());
    assertTrue(live.log().contains("door-ready relay sequence " + relay + " action forward port " + forwardPort
        + " forward-to 127.0.0.1:" + echo.getLocalPort()), live.log());
    assertTrue(live.log().contains("door-ready cmd sequence " + cmd + " action none"), live.log());

    KnockClient client = new KnockClient(InetAddress.getByName("127.0.0.1"), null);
    client.knock(hello, 0, new byte[0]);
    assertEquals(ServerConfig.DEFAULT_GREETING, client.fetchGreeting(greetPort, 5 * SECOND).orElse("(none)"),
        live::log);
    live.awaitLog("served hello 127.0.0.1");

    client.knock(relay, 0, new byte[0]);
    live.awaitLog("granted relay 127.0.0.1");
    live.awaitLog("service-open relay port " + forwardPort);
    assertEquals("ping through the door", relayed(forwardPort, "127.0.0.1", "ping through the door"));
    live.awaitLog("forward-open relay 127.0.0.1 backend 127.0.0.1:" + echo.getLocalPort());
    assertEquals("", relayed(forwardPort, "127.0.0.2", "let me in"), "a source without a grant gets no byte");
    live.awaitLog("refused relay 127.0.0.2");

    client.knock(cmd, 0, new byte[0]);
    live.awaitLog("granted cmd 127.0.0.1");
    LiveHarness.await(() -> read(opened).equals("open 127.0.0.1 cmd\n"), () -> "on_open's line in " + opened);
    live.awaitLog("command cmd 127.0.0.1 hook on-open exit 0");
    assertFalse(live.log().contains("command hello") || live.log().contains("command relay"), live.log());

    live.advanceClock(31 * SECOND); // past open_for: the timer expires the grants, on_close runs
    live.awaitLog("grant-expired cmd 127.0.0.1");
    LiveHarness.await(() -> read(opened).equals("open 127.0.0.1 cmd\nclose 127.0.0.1 cmd\n"),
        () -> "on_close's line in " + opened + ": " + read(opened));
    live.awaitLog("command cmd 127.0.0.1 hook on-close exit 0");
    live.awaitLog("service-closed relay port " + forwardPort);
  }

  private static String door(String name, KnockSequence sequence) {
    return "[[door]]\nname = \"" + name + "\"\nsequence = [" + sequence.toString().replace(",", ", ") + "]\n";
  }

  /** Sends {@code text} from {@code source}, half-closes, and reads what comes back until the end ("" if cut off). */
  private static String relayed(int port, String source, String text) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(source, 0));
      try {
        // A refusal is a reset, which can reach the socket before its connect returns.
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(3000);
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.shutdownOutput();
        return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (java.net.SocketException e) {
        return ""; // refused: closed (or reset) without a byte
      }
    }
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** An echo backend on loopback: each connection gets back what it sends, then its end. */
  private static ServerSocket startEcho() throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread thread = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket socket = server.accept(); InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream()) {
          in.transferTo(out);
        } catch (IOException e) {
          // closed at the end of the test, or a client went away
        }
      }
    }, "echo-backend");
    thread.setDaemon(true);
    thread.start();
    return server;
  }
}
