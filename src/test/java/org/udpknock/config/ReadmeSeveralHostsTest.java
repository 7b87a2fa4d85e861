package org.udpknock.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.auth.KeyFile;
import org.udpknock.auth.ServerId;
import org.udpknock.door.ActionKind;
import org.udpknock.door.DoorConfig;

/**
 * The two-host example of README's "Several hosts" loads as check-config would (its key and
 * password files made here), and is what the section says: a shared nftables door on port 22,
 * a store with a password file, and a host name.
 */
class ReadmeSeveralHostsTest {
  private static final Pattern TOML_BLOCK = Pattern.compile("```toml\n(.*?)```", Pattern.DOTALL);
  @TempDir Path dir;

  @Test
  void theTwoHostExampleLoads() throws Exception {
    KeyFile.create(dir.resolve("fleet.key"), ServerId.of("fleet"), new SecureRandom());
    Files.writeString(dir.resolve("redis.password"), "secret\n");
    Files.setPosixFilePermissions(dir.resolve("redis.password"), PosixFilePermissions.fromString("rw-------"));
    Matcher block = TOML_BLOCK.matcher(section());
    assertTrue(block.find(), "Several hosts has a toml block");
    Path file = dir.resolve("udpknock.toml");
    Files.writeString(file, block.group(1).replace("/etc/udpknock/", dir + "/"));
    Config config = ConfigFile.load(file);
    assertEquals(URI.create("redis://10.0.0.5:6379/0"), config.fleet().store());
    assertEquals("secret", config.fleet().password());
    assertEquals("a", config.fleet().hostName());
    DoorConfig door = config.doors().get(0);
    assertTrue(door.sharing().shared());
    assertEquals(ActionKind.NFTABLES, door.action());
    assertEquals(22, door.port());
  }

  private static String section() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("\n## Several hosts\n");
    assertTrue(start >= 0, "README has a section Several hosts");
    int end = readme.indexOf("\n## ", start + 1);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }
}
