package org.udpknock.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.server.ServerConfig;

/**
 * Issue 12, metrics: where they are served, {@code metrics = "127.0.0.1:9741"} or {@code --metrics}.
 * A port alone is loopback's; any other address is written out as an IP address; nothing is
 * looked up; a bad value is one sentence naming it.
 */
class MetricsAddressTest {
  private static final String DOOR = "[[door]]\nname = \"a\"\nsequence = [31001, 32002, 33003]\nport = 2299\n";

  @TempDir Path dir;

  @Test
  void aPortAloneOrLocalhostIsLoopback() {
    assertEquals("127.0.0.1:9741", MetricsAddress.parse("9741").toString());
    assertEquals("127.0.0.1:9741", MetricsAddress.parse("localhost:9741").toString());
    assertTrue(MetricsAddress.parse("9741").loopback());
    assertTrue(MetricsAddress.parse("127.0.0.2:80").loopback());
    assertTrue(MetricsAddress.parse("[::1]:9741").loopback());
    assertEquals("[0:0:0:0:0:0:0:1]:9741", MetricsAddress.parse("[::1]:9741").toString());
  }

  @Test
  void anotherAddressIsTakenWhenWrittenOutAndIsNotLoopback() {
    for (String text : List.of("0.0.0.0:9741", "192.0.2.7:1", "[::]:65535", "[2001:db8::7]:9741")) {
      MetricsAddress address = MetricsAddress.parse(text);
      assertFalse(address.loopback(), text);
    }
    assertEquals(65535, MetricsAddress.parse("[::]:65535").port());
    assertEquals("192.0.2.7:1", MetricsAddress.parse("192.0.2.7:1").toString());
  }

  @Test
  void badValuesAreOneSentenceNamingThem() {
    for (String bad : List.of("", ":9741", "0", "65536", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0",
        "127.0.0.1:99999", "256.0.0.1:9741", "1.2.3:9741", "::1:9741", "[::1]", "[nope]:9741", "[]:9741",
        "example.com:9741", "127.0.0.1:97x1", " 9741", "127.0.0.1:9741 ")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MetricsAddress.parse(bad), bad);
      assertTrue(e.getMessage().startsWith("'" + bad + "'"), e.getMessage());
      assertTrue(e.getMessage().contains("like 127.0.0.1:9741"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
    assertTrue(MetricsAddress.parse(":9741".substring(1)).loopback()); // the port alone is fine
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MetricsAddress.parse(":9741")).getMessage()
        .contains("has no address"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> MetricsAddress.parse("example.com:9741"))
        .getMessage().contains("no name is looked up"));
  }

  @Test
  void theConfigFileTakesItAsAQuotedStringAndItIsOffByDefault() throws Exception {
    assertNull(load(DOOR).metrics());
    assertEquals("127.0.0.1:9741", load("metrics = \"127.0.0.1:9741\"\n" + DOOR).metrics().toString());
    assertEquals("FILE line 1: metrics must be an address and a port in quotes, like \"127.0.0.1:9741\","
        + " not the integer 9741", refused("metrics = 9741\n" + DOOR));
    assertTrue(refused("json = true\nmetrics = \":9741\"\n" + DOOR).startsWith("FILE line 2: metrics: ':9741' has no address"));
  }

  @Test
  void theFilesAddressReachesTheServerSettings() throws Exception {
    Config file = load("metrics = \"[::1]:9741\"\n" + DOOR);
    assertEquals(file.metrics(), ServerConfig.of(file, "lo").settings().metrics());
    assertNull(ServerConfig.of(load(DOOR), "lo").settings().metrics());
  }

  private Config load(String toml) throws IOException, ConfigException {
    Path file = dir.resolve("udpknock.toml");
    Files.writeString(file, toml);
    return ConfigFile.load(file);
  }

  private String refused(String toml) throws IOException {
    ConfigException e = assertThrows(ConfigException.class, () -> load(toml));
    return e.getMessage().replace(dir.resolve("udpknock.toml").toString(), "FILE");
  }
}
