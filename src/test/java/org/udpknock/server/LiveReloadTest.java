package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.udpknock.server.LiveHarness.SECOND;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.client.KnockClient;
import org.udpknock.config.ConfigException;
import org.udpknock.config.ConfigFile;
import org.udpknock.core.KnockSequence;

/**
 * Reload of a config file through the real server on lo (libpcap, real sockets): a door whose
 * rules are unchanged keeps its attempts and grants, a removed door's grants end as an expiry
 * would and its port closes, a new door grants, a broken file changes nothing, and knocks sent
 * while the capture filter changes are all granted. Waits are bounded polls on the log.
 */
class LiveReloadTest {
  @TempDir Path dir;
  private LiveHarness live;

  @AfterEach
  void stop() throws Exception {
    if (live != null) {
      live.close();
    }
  }

  @Test
  void aReloadKeepsUnchangedDoorsEndsRemovedOnesAndStartsNewOnes() throws Exception {
    KnockSequence keep = LiveHarness.randomSequence();
    KnockSequence gone = LiveHarness.randomSequence();
    KnockSequence added = LiveHarness.randomSequence();
    int keepPort = LiveHarness.freePort();
    int gonePort = LiveHarness.freePort();
    int addedPort = LiveHarness.freePort();
    Path file = dir.resolve("udpknock.toml");
    Files.writeString(file, greet("keep", keep, keepPort) + greet("gone", gone, gonePort));
    live = startReloading(file);
    live.awaitLog("door-ready gone");

    KnockClient client = new KnockClient(InetAddress.getByName("127.0.0.1"), null);
    client.knock(keep, 0, new byte[0]);
    live.awaitLog("granted keep 127.0.0.1");
    client.knock(gone, 0, new byte[0]);
    live.awaitLog("service-open gone port " + gonePort);
    knock(keep.port(0));
    knock(keep.port(1));
    live.awaitLog("knock keep 127.0.0.1 port " + keep.port(1) + " stage 2/3");

    Files.writeString(file, greet("keep", keep, keepPort) + greet("added", added, addedPort));
    live.server().reloadAsked();
    live.awaitLog("reloaded file " + file + " doors 2 kept 1 added 1 removed 1");
    assertTrue(live.log().contains("grant-expired gone 127.0.0.1"), live.log());
    live.awaitLog("service-closed gone port " + gonePort);
    assertThrows(IOException.class, () -> connect(gonePort), "the removed door's port is closed");

    assertEquals(ServerConfig.DEFAULT_GREETING, client.fetchGreeting(keepPort, 5 * SECOND).orElse("(none)"),
        "the kept door's grant lives on");
    knock(keep.port(2));
    LiveHarness.await(() -> count(live.log(), "granted keep 127.0.0.1") == 2,
        () -> "the attempt begun before the reload is granted\n" + live.log());

    client.knock(added, 0, new byte[0]);
    live.awaitLog("granted added 127.0.0.1");
    assertEquals(ServerConfig.DEFAULT_GREETING, client.fetchGreeting(addedPort, 5 * SECOND).orElse("(none)"));
  }

  /**
   * A door whose greeting changes keeps its grant, and its new action greets with the new text;
   * a setting only a restart applies (max_sources) is named, and the doors are applied anyway.
   */
  @Test
  void anActionSettingChangeKeepsTheGrantAndARestartOnlySettingIsNamed() throws Exception {
    KnockSequence keep = LiveHarness.randomSequence();
    int keepPort = LiveHarness.freePort();
    Path file = dir.resolve("udpknock.toml");
    Files.writeString(file, greet("keep", keep, keepPort));
    live = startReloading(file);
    live.awaitLog("door-ready keep");
    KnockClient client = new KnockClient(InetAddress.getByName("127.0.0.1"), null);
    client.knock(keep, 0, new byte[0]);
    assertEquals(ServerConfig.DEFAULT_GREETING, client.fetchGreeting(keepPort, 5 * SECOND).orElse("(none)"));

    Files.writeString(file, "max_sources = 5000\n" + greet("keep", keep, keepPort) + "greeting = \"hello again\"\n");
    live.server().reloadAsked();
    live.awaitLog("reloaded file " + file + " doors 1 kept 1 added 0 removed 0");
    assertTrue(live.log().contains("max_sources changed, which only a restart applies"), live.log());
    assertEquals("hello again", client.fetchGreeting(keepPort, 5 * SECOND).orElse("(none)"),
        () -> "the grant made before the reload, greeted by the door's new action\n" + live.log());
    assertEquals(1, count(live.log(), "granted keep"), live.log());
  }

  @Test
  void aBrokenFileIsLoggedInOneSentenceAndTheOldDoorsGoOn() throws Exception {
    KnockSequence keep = LiveHarness.randomSequence();
    int keepPort = LiveHarness.freePort();
    Path file = dir.resolve("udpknock.toml");
    Files.writeString(file, greet("keep", keep, keepPort));
    live = startReloading(file);
    live.awaitLog("door-ready keep");

    Files.writeString(file, greet("keep", keep, keepPort) + "colour = \"blue\"\n");
    live.server().reloadAsked();
    live.awaitLog("reload-failed file " + file + " error ");
    String failed = line(live.log(), "reload-failed");
    assertTrue(failed.contains("colour") && failed.endsWith("the server goes on with the doors it had"), failed);
    assertFalse(live.log().contains("reloaded"), live.log());

    new KnockClient(InetAddress.getByName("127.0.0.1"), null).knock(keep, 0, new byte[0]);
    live.awaitLog("granted keep 127.0.0.1");
  }

  /** Commands need the runner made at start: a reload that adds the first ones is refused, and the doors go on. */
  @Test
  void doorsOnlyARestartCanGiveAreRefusedAndTheOldDoorsGoOn() throws Exception {
    KnockSequence keep = LiveHarness.randomSequence();
    int keepPort = LiveHarness.freePort();
    Path file = dir.resolve("udpknock.toml");
    Files.writeString(file, greet("keep", keep, keepPort));
    live = startReloading(file);
    live.awaitLog("door-ready keep");

    Files.writeString(file, greet("keep", keep, keepPort) + none("cmd", LiveHarness.randomSequence())
        + "on_open = [\"/bin/true\"]\n");
    live.server().reloadAsked();
    live.awaitLog("reload-failed file " + file + " error door \"cmd\" has on_open or on_close commands");
    assertFalse(live.log().contains("door-ready cmd") || live.log().contains("reloaded"), live.log());
    new KnockClient(InetAddress.getByName("127.0.0.1"), null).knock(keep, 0, new byte[0]);
    live.awaitLog("granted keep 127.0.0.1");
  }

  /** The kernel's table refuses the reload's doors: one reload-failed sentence, the guards put back, the doors go on. */
  @Test
  void aTableThatCannotChangeFailsTheReloadAndTheOldDoorsGoOn() throws Exception {
    KnockSequence keep = LiveHarness.randomSequence();
    int keepPort = LiveHarness.freePort();
    Path file = dir.resolve("udpknock.toml");
    Files.writeString(file, greet("keep", keep, keepPort));
    java.util.List<String> guarded = new java.util.concurrent.CopyOnWriteArrayList<>();
    DoorGuards refusing = new DoorGuards() {
      @Override
      public AccessControl forDoor(org.udpknock.door.DoorConfig door) {
        return AccessControl.NONE;
      }

      @Override
      public void guard(java.util.List<org.udpknock.door.DoorConfig> doors, boolean dropOthers) {
        guarded.add(doors.stream().map(org.udpknock.door.DoorConfig::name).toList() + " " + dropOthers);
        if (!dropOthers) {
          throw new IllegalArgumentException("the nftables table inet udpknock could not change (test)");
        }
      }
    };
    live = startReloading(file, refusing);
    live.awaitLog("door-ready keep");

    Files.writeString(file, greet("keep", keep, keepPort) + greet("added", LiveHarness.randomSequence(),
        LiveHarness.freePort()));
    live.server().reloadAsked();
    live.awaitLog("reload-failed file " + file + " error the nftables table inet udpknock could not change (test)");
    assertFalse(live.log().contains("door-ready added") || live.log().contains("reloaded"), live.log());
    assertEquals(java.util.List.of("[keep, added] false", "[keep] true"), guarded, "tried, then put back");
    new KnockClient(InetAddress.getByName("127.0.0.1"), null).knock(keep, 0, new byte[0]);
    live.awaitLog("granted keep 127.0.0.1");
  }

  /**
   * Each round changes the capture filter (a door with other ports comes or goes) while a whole
   * knock of the unchanged door is on its way: every round must be granted. libpcap puts a
   * reject-all filter on the socket for a moment while it changes the filter (pcap-linux.c
   * set_kernel_filter): this counts what that costs.
   */
  @Test
  void knocksSentWhileTheFilterChangesAreAllGranted() throws Exception {
    KnockSequence keep = LiveHarness.randomSequence();
    KnockSequence other = LiveHarness.randomSequence();
    int keepPort = LiveHarness.freePort();
    Path file = dir.resolve("udpknock.toml");
    String keepDoor = greet("keep", keep, keepPort);
    Files.writeString(file, keepDoor);
    live = startReloading(file);
    live.awaitLog("door-ready keep");
    KnockClient client = new KnockClient(InetAddress.getByName("127.0.0.1"), null);
    int rounds = 30;
    for (int round = 1; round <= rounds; round++) {
      Files.writeString(file, keepDoor + (round % 2 == 1 ? none("other", other) : ""));
      live.server().reloadAsked();
      client.knock(keep, 0, new byte[0]);
      int reloads = round;
      LiveHarness.await(() -> count(live.log(), "reloaded file") == reloads, () -> "reload " + reloads + "\n" + live.log());
    }
    LiveHarness.await(() -> count(live.log(), "granted keep 127.0.0.1") == rounds,
        () -> count(live.log(), "granted keep 127.0.0.1") + " of " + rounds + " knocks granted\n" + live.log());
  }

  private LiveHarness startReloading(Path file) throws ConfigException {
    return startReloading(file, DoorGuards.NONE);
  }

  private LiveHarness startReloading(Path file, DoorGuards guards) throws ConfigException {
    LiveHarness harness = LiveHarness.start(ServerConfig.of(ConfigFile.load(file), "lo"), guards);
    harness.server().reloadFrom(new KnockServer.ConfigReader() {
      @Override
      public String name() {
        return file.toString();
      }

      @Override
      public ServerConfig read() throws ConfigException {
        return ServerConfig.of(ConfigFile.load(file), "lo");
      }
    });
    return harness;
  }

  private static String greet(String name, KnockSequence sequence, int port) {
    return "[[door]]\nname = \"" + name + "\"\nsequence = [" + sequence.toString().replace(",", ", ") + "]\n"
        + "action = \"greet\"\nport = " + port + "\n\n";
  }

  private static String none(String name, KnockSequence sequence) {
    return "[[door]]\nname = \"" + name + "\"\nsequence = [" + sequence.toString().replace(",", ", ") + "]\n"
        + "action = \"none\"\n\n";
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

  private static int count(String text, String what) {
    int count = 0;
    for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
      count++;
    }
    return count;
  }

  private static String line(String log, String what) {
    return log.lines().filter(line -> line.contains(what)).findFirst().orElse("(none)");
  }
}
