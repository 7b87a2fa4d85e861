package org.udpknock.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.auth.KeyFile;
import org.udpknock.auth.ServerId;
import org.udpknock.door.Sharing;
import org.udpknock.fleet.FleetSettings;

/** grant_store, its companions and a door's shared and commands keys: read, or refused in one sentence. */
class FleetConfigTest {
  private static final String DOOR = "[[door]]\nname = \"ssh\"\nsequence = [7001, 7002, 7003]\n";
  @TempDir Path dir;

  @BeforeEach
  void keys() throws IOException {
    KeyFile.create(dir.resolve("fleet.key"), ServerId.of("fleet"), new SecureRandom());
    Files.writeString(dir.resolve("redis.password"), "s3cret pass\n");
    Files.setPosixFilePermissions(dir.resolve("redis.password"), PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void aFleetMemberReadsItsStoreKeyPasswordAndName() throws Exception {
    Config config = load("grant_store = \"redis://10.0.0.5/2\"\nfleet_key_file = \"fleet.key\"\n"
        + "grant_store_password_file = \"redis.password\"\nhost_name = \"bastion-a\"\n" + DOOR + "shared = true\n");
    FleetSettings fleet = config.fleet();
    assertEquals(URI.create("redis://10.0.0.5:6379/2"), fleet.store(), "the default port is written in");
    assertEquals("s3cret pass", fleet.password());
    assertEquals("bastion-a", fleet.hostName());
    assertEquals(KeyFile.read(dir.resolve("fleet.key")).key(), fleet.fleetKey());
    assertEquals(new Sharing(true, false), config.doors().get(0).sharing());
    assertFalse(fleet.toString().contains("s3cret"), fleet.toString());
    Config inUrl = load("grant_store = \"redis://u:pw-in-url@10.0.0.5/2\"\nfleet_key_file = \"fleet.key\"\n" + DOOR);
    assertEquals("redis://10.0.0.5:6379/2", inUrl.fleet().storeForLog());
    assertFalse(inUrl.fleet().toString().contains("pw-in-url"), inUrl.fleet().toString());
  }

  @Test
  void withoutAStoreNothingIsSharedAndTheHostNameIsTheSystems() throws Exception {
    Config config = load(DOOR);
    assertNull(config.fleet());
    assertEquals(Sharing.NONE, config.doors().get(0).sharing());
    Config named = load("grant_store = \"rediss://store.example:6380\"\nfleet_key_file = \"fleet.key\"\n" + DOOR
        + "shared = true\ncommands = \"all\"\n");
    assertEquals(FleetReader.systemHostName(), named.fleet().hostName());
    assertTrue(named.doors().get(0).sharing().commandsEverywhere());
  }

  @Test
  void badFleetSettingsAreRefusedInOneSentence() {
    refused("FILE line 1: grant_store must be redis://[user:password@]HOST:PORT/DB, or rediss:// for TLS, like"
        + " \"redis://10.0.0.5:6379/0\", not \"http://10.0.0.5\"", "grant_store = \"http://10.0.0.5\"\n" + DOOR);
    refused("FILE line 1: grant_store must be redis://[user:password@]HOST:PORT/DB, or rediss:// for TLS, like"
        + " \"redis://10.0.0.5:6379/0\", not \"redis://10.0.0.5/x\"", "grant_store = \"redis://10.0.0.5/x\"\n" + DOOR);
    refused("FILE line 1: grant_store needs fleet_key_file, a key that every host of the fleet shares (write one"
        + " with: udpknock keygen FILE, then copy it to each host)", "grant_store = \"redis://10.0.0.5\"\n" + DOOR);
    refused("FILE line 1: fleet_key_file is only used with grant_store; add grant_store or remove fleet_key_file",
        "fleet_key_file = \"fleet.key\"\n" + DOOR);
    refused("FILE line 4: door \"ssh\": shared = true needs grant_store at the top of the file, the Redis that the"
        + " fleet's hosts share", DOOR + "shared = true\n");
    refused("FILE line 4: door \"ssh\": commands says where a shared door's commands run; set shared = true, or"
        + " remove it", DOOR + "commands = \"all\"\n");
    String store = "grant_store = \"redis://u:pw@10.0.0.5\"\nfleet_key_file = \"fleet.key\"\n";
    refused("FILE line 3: grant_store has a password and grant_store_password_file gives another; keep the file and"
        + " write grant_store without the password", store + "grant_store_password_file = \"redis.password\"\n" + DOOR);
    refused("FILE line 3: grant_store_ca_file checks a TLS store's certificate; write grant_store as rediss://, or"
        + " remove grant_store_ca_file", store + "grant_store_ca_file = \"fleet.key\"\n" + DOOR);
    refused("FILE line 3: host_name must be 1-64 printable ASCII characters without spaces, not \"a b\"",
        store + "host_name = \"a b\"\n" + DOOR);
    refused("FILE line 1: grant_store must be redis://[user:password@]HOST:PORT/DB, or rediss:// for TLS, like"
        + " \"redis://10.0.0.5:6379/0\", not \"redis://10.0.0.5/12345\"",
        "grant_store = \"redis://10.0.0.5/12345\"\nfleet_key_file = \"fleet.key\"\n" + DOOR);
  }

  /** A CA file that holds no certificate is refused at load, so check-config sees it, not only the start. */
  @Test
  void aCaFileWithoutCertificatesIsRefusedAtLoad() throws IOException {
    Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    ConfigException e = assertThrows(ConfigException.class, () -> load("grant_store = \"rediss://10.0.0.5\"\n"
        + "fleet_key_file = \"fleet.key\"\ngrant_store_ca_file = \"ca.pem\"\n" + DOOR));
    String message = e.getMessage().replace(dir.resolve("udpknock.toml").toString(), "FILE");
    assertTrue(message.startsWith("FILE line 3: grant_store_ca_file " + dir.resolve("ca.pem")), message);
  }

  @Test
  void secretFilesMustBePrivate() throws IOException {
    Files.setPosixFilePermissions(dir.resolve("redis.password"), PosixFilePermissions.fromString("rw-r--r--"));
    refused("FILE line 3: grant_store_password_file: password file " + dir.resolve("redis.password") + " has mode 0644,"
        + " which gives group or others access; run: chmod 600 " + dir.resolve("redis.password"),
        "grant_store = \"redis://10.0.0.5\"\nfleet_key_file = \"fleet.key\"\n"
            + "grant_store_password_file = \"redis.password\"\n" + DOOR);
    refused("FILE line 2: fleet_key_file: key file " + dir.resolve("none.key") + " does not exist; create one with:"
        + " udpknock keygen " + dir.resolve("none.key"),
        "grant_store = \"redis://10.0.0.5\"\nfleet_key_file = \"none.key\"\n" + DOOR);
  }

  private Config load(String toml) throws Exception {
    Path file = dir.resolve("udpknock.toml");
    Files.writeString(file, toml);
    return ConfigFile.load(file);
  }

  private void refused(String expected, String toml) {
    ConfigException e = assertThrows(ConfigException.class, () -> load(toml), toml);
    assertEquals(expected, e.getMessage().replace(dir.resolve("udpknock.toml").toString(), "FILE"), toml);
  }
}
