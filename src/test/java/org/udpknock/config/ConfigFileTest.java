package org.udpknock.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.auth.KeyFile;
import org.udpknock.auth.ServerId;
import org.udpknock.core.KnockSequence;
import org.udpknock.door.Sharing;
import org.udpknock.door.ActionKind;
import org.udpknock.door.Commands;
import org.udpknock.door.DoorConfig;

/** What a good config file yields: the command line's defaults, and every key of the issue's example. */
class ConfigFileTest {
  @TempDir Path dir;

  @Test
  void aDoorWithOnlyANameIsTheCommandLinesDefaultDoor() throws Exception {
    Config config = load("[[door]]\nname = \"default\"\n");
    assertEquals(List.of(DoorConfig.defaultDoor()), config.doors());
    assertNull(config.interfaceName());
    assertFalse(config.json());
    assertFalse(config.quiet());
    assertFalse(config.anyDestination());
    assertFalse(config.waitForInterface());
    assertEquals(1_000_000, config.maxSources());
    assertEquals(100_000, config.maxGrants());
    assertEquals(Config.Nftables.AUTO, config.nftables());
    assertEquals("udpknock", config.nftTable());
  }

  @Test
  void defaultsOfEachAction() throws Exception {
    Config config = load("[[door]]\nname = \"f\"\naction = \"forward\"\nport = 2222\nforward_to = \"[::1]:22\"\n"
        + "[[door]]\nname = \"n\"\naction = \"none\"\non_close = [\"/bin/true\"]\n");
    DoorConfig forward = config.doors().get(0);
    assertEquals(5_000_000_000L, forward.connectTimeoutNanos());
    assertEquals(256, forward.maxConnections());
    assertEquals("[::1]:22", forward.forwardTo());
    assertEquals(30_000_000_000L, forward.openForNanos());
    assertEquals(100, forward.rules().scanGuard());
    DoorConfig none = config.doors().get(1);
    assertEquals(0, none.port());
    assertNull(none.forwardTo());
    assertEquals(new Commands(List.of(), List.of("/bin/true"), 10_000_000_000L), none.commands());
  }

  @Test
  void theIssuesExample() throws Exception {
    KeyFile.create(dir.resolve("ssh.key"), ServerId.of("gate"), new SecureRandom());
    Config config = load(Files.readString(Path.of("src/test/resources/config/example.toml")));
    assertEquals("any", config.interfaceName());
    List<DoorConfig> doors = config.doors();
    assertEquals(List.of("hello", "ssh", "ssh-relay"), doors.stream().map(DoorConfig::name).toList());

    DoorConfig hello = doors.get(0);
    assertEquals(new DoorConfig("hello", new DoorConfig.KnockRules(KnockSequence.of(12001, 12002, 12003),
        5_000_000_000L, 100, null), 30_000_000_000L, ActionKind.GREET, 2223, null,
        "Bonjour, vous avez réussi la séquence UDP !", 5_000_000_000L, null, 5_000_000_000L, 256,
        Commands.NONE, Sharing.NONE), hello);

    DoorConfig ssh = doors.get(1);
    assertEquals(ActionKind.NFTABLES, ssh.action());
    assertEquals(22, ssh.port());
    assertEquals(KnockSequence.of(15218, 12912, 17484), ssh.rules().sequence());
    assertEquals(0, ssh.rules().scanGuard(), "with secret_file, the guard is off by default");
    assertEquals(ServerId.of("gate"), ssh.rules().auth().serverId());
    assertEquals(30_000_000_000L, ssh.rules().auth().maxSkewNanos());
    assertEquals(65_536, ssh.rules().auth().nonceCacheCapacity());
    byte[] probe = {1, 2, 3}; // KnockKey has no equals: compare what the two keys sign.
    assertArrayEquals(KeyFile.read(dir.resolve("ssh.key")).key().newMac().doFinal(probe),
        ssh.rules().auth().key().newMac().doFinal(probe));

    DoorConfig relay = doors.get(2);
    assertEquals(ActionKind.FORWARD, relay.action());
    assertEquals(2222, relay.port());
    assertEquals("127.0.0.1:22", relay.forwardTo());
    assertEquals(List.of("/usr/bin/logger", "-t", "udpknock", "opened %DOOR% for %IP%"), relay.commands().onOpen());
  }

  @Test
  void everyKeySet() throws Exception {
    KeyFile.create(dir.resolve("k"), ServerId.of("file-id"), new SecureRandom());
    Config config = load("interface = \"eth0\"\njson = true\nquiet = true\nmax_sources = 10\nmax_grants = 20\n"
        + "any_destination = true\nwait_for_interface = true\nnftables = \"off\"\nnft_table = \"knock_2\"\n"
        + "[[door]]\nname = \"a\"\nsequence = [7]\nseq_timeout = \"500ms\"\nscan_guard = 3\nsecret_file = \"k\"\n"
        + "server_id = \"cli-id\"\nmax_skew = \"2m\"\nnonce_cache = 9\nopen_for = \"1h\"\nbind = \"::1\"\n"
        + "greeting = \"hi\"\nwrite_timeout = \"250ms\"\non_open = [\"/bin/echo\", \"%IP%\"]\n"
        + "on_close = [\"/bin/echo\", \"bye\"]\ncommand_timeout = \"3s\"\nport = 4000\n");
    assertTrue(config.json() && config.quiet() && config.anyDestination() && config.waitForInterface());
    assertEquals(List.of("eth0", 10, 20, Config.Nftables.OFF, "knock_2"),
        List.of(config.interfaceName(), config.maxSources(), config.maxGrants(), config.nftables(), config.nftTable()));
    DoorConfig door = config.doors().get(0);
    assertEquals(new DoorConfig.KnockRules(KnockSequence.of(7), 500_000_000L, 3, door.rules().auth()), door.rules());
    assertEquals(ServerId.of("cli-id"), door.rules().auth().serverId(), "server_id overrides the key file's line");
    assertEquals(120_000_000_000L, door.rules().auth().maxSkewNanos());
    assertEquals(9, door.rules().auth().nonceCacheCapacity());
    assertEquals(List.of(3_600_000_000_000L, 4000, InetAddress.getByName("::1"), "hi", 250_000_000L),
        List.of(door.openForNanos(), door.port(), door.bind(), door.greeting(), door.writeTimeoutNanos()));
    assertEquals(new Commands(List.of("/bin/echo", "%IP%"), List.of("/bin/echo", "bye"), 3_000_000_000L),
        door.commands());
  }

  @Test
  void theSampleConfigIsTheDefaultDoor() throws Exception {
    Config config = ConfigFile.load(Path.of("scripts/udpknock.toml"));
    assertEquals(List.of(DoorConfig.defaultDoor()), config.doors());
  }

  @Test
  void durationsReadAsTheCommandLineWritesThem() {
    assertEquals(500_000_000L, Durations.parseNanos("500ms"));
    assertEquals(5_000_000_000L, Durations.parseNanos("5"));
    assertEquals(120_000_000_000L, Durations.parseNanos("2m"));
    for (long nanos : new long[] {1, 999, 1_000, 1_500_000, 5_000_000_000L, 90_000_000_000L, 7_200_000_000_000L}) {
      assertEquals(nanos, Durations.parseNanos(Durations.format(nanos)));
    }
    assertEquals("30s", Durations.format(30_000_000_000L));
    assertEquals("1500ms", Durations.format(1_500_000_000L));
    assertEquals("2m", Durations.format(120_000_000_000L));
  }

  private Config load(String toml) throws IOException, ConfigException {
    Path file = dir.resolve("udpknock.toml");
    Files.writeString(file, toml);
    return ConfigFile.load(file);
  }
}
