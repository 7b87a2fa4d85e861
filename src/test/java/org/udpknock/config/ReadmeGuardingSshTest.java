package org.udpknock.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.auth.KeyFile;
import org.udpknock.auth.ServerId;
import org.udpknock.door.ActionKind;
import org.udpknock.door.DoorConfig;

/**
 * Every ```toml block of README's "Guarding SSH" section loads with {@link ConfigFile#load}, as
 * {@code check-config} would, and the section shows the three ways: nftables, forward, commands.
 * So the README a new user copies from cannot drift from the code.
 */
class ReadmeGuardingSshTest {
  private static final Pattern TOML_BLOCK = Pattern.compile("```toml\n(.*?)```", Pattern.DOTALL);
  private static final Pattern SECRET_FILE = Pattern.compile("(?m)^secret_file = \"[^\"]*\"");

  @TempDir Path dir;

  @Test
  void everyTomlBlockOfGuardingSshLoads() throws Exception {
    List<DoorConfig> doors = new ArrayList<>();
    List<String> blocks = tomlBlocks(guardingSshSection());
    for (int i = 0; i < blocks.size(); i++) {
      Path file = dir.resolve("guarding-ssh-" + i + ".toml");
      Files.writeString(file, withTestKey(blocks.get(i)));
      doors.addAll(ConfigFile.load(file).doors());
    }
    Set<ActionKind> actions = EnumSet.noneOf(ActionKind.class);
    doors.forEach(door -> actions.add(door.action()));
    assertEquals(EnumSet.of(ActionKind.NFTABLES, ActionKind.FORWARD, ActionKind.NONE), actions,
        "the section shows the three ways");
    assertTrue(doors.stream().anyMatch(door -> door.action() == ActionKind.NFTABLES && door.port() == 22));
    assertTrue(doors.stream().anyMatch(door -> door.action() == ActionKind.FORWARD && door.port() == 2222
        && "127.0.0.1:22".equals(door.forwardTo())), "ssh -p 2222 reaches sshd on 127.0.0.1:22");
    assertTrue(doors.stream().anyMatch(door -> door.action() == ActionKind.NONE
        && !door.commands().onOpen().isEmpty() && !door.commands().onClose().isEmpty()), "a pair with on_close");
  }

  private static String guardingSshSection() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("\n## Guarding SSH\n");
    assertTrue(start >= 0, "README has a section Guarding SSH");
    int end = readme.indexOf("\n## ", start + 1);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  private static List<String> tomlBlocks(String section) {
    List<String> blocks = new ArrayList<>();
    Matcher matcher = TOML_BLOCK.matcher(section);
    while (matcher.find()) {
      blocks.add(matcher.group(1));
    }
    assertFalse(blocks.isEmpty(), "Guarding SSH has toml blocks");
    return blocks;
  }

  /** A block's key file (e.g. /etc/udpknock/ssh.key) becomes one this test creates. */
  private String withTestKey(String block) throws Exception {
    if (!SECRET_FILE.matcher(block).find()) {
      return block;
    }
    Path key = dir.resolve("ssh.key");
    if (!Files.exists(key)) {
      KeyFile.create(key, ServerId.of("gate"), new SecureRandom());
    }
    return SECRET_FILE.matcher(block).replaceAll(Matcher.quoteReplacement("secret_file = \"" + key + "\""));
  }
}
