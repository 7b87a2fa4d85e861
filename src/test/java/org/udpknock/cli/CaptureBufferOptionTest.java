package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.config.Config;
import org.udpknock.config.ConfigException;
import org.udpknock.config.ConfigFile;
import org.udpknock.config.Sizes;

/**
 * Issue 11: the capture ring was 64 MB, fixed, 66 MB of an idle server's resident memory. Its
 * size is now --capture-buffer (capture_buffer in a config file), 8 MB by default; a bad size is
 * one sentence and exit code 2, before anything is opened.
 */
class CaptureBufferOptionTest {
  private static final String DOOR = "[[door]]\nname = \"a\"\nsequence = [31001, 32002, 33003]\nport = 2299\n";

  @TempDir Path dir;

  @Test
  void sizesAreMegabytesByDefaultAndTakeKMAndGInPowersOf1024() {
    assertEquals(8L << 20, Sizes.parseBytes("8"));
    assertEquals(8L << 20, Sizes.parseBytes("8m"));
    assertEquals(8L << 20, Sizes.parseBytes("8MB"));
    assertEquals(8L << 20, Sizes.parseBytes("8MiB"));
    assertEquals(1536L << 10, Sizes.parseBytes("1536k"));
    assertEquals(1L << 30, Sizes.parseBytes("1g"));
    assertThrows(IllegalArgumentException.class, () -> Sizes.parseBytes("8b"));
    assertThrows(IllegalArgumentException.class, () -> Sizes.parseBytes("-8m"));
    assertThrows(IllegalArgumentException.class, () -> Sizes.parseBytes("8mm"));
  }

  @Test
  void badSizesOnTheCommandLineAreOneSentenceAndExitCode2() {
    for (String bad : new String[] {"0", "512k", "2g", "lots", "8.5m", ""}) {
      CliRun run = CliRun.of("server", "-i", "lo", "--capture-buffer", bad);
      assertEquals(ExitCodes.USAGE, run.code, bad + ": " + run.err);
      String message = run.oneLineError();
      assertTrue(message.contains("--capture-buffer") && message.contains("'" + bad + "'"), message);
      assertTrue(!run.err.contains("\tat "), "no stack trace: " + run.err);
    }
    assertTrue(CliRun.of("server", "-i", "lo", "--capture-buffer", "2g").oneLineError()
        .contains("from 1m to 1024m"));
  }

  @Test
  void theDefaultIs8MbAndTheHelpSaysSo() {
    assertEquals(8 << 20, Config.DEFAULT_CAPTURE_BUFFER_BYTES);
    String help = CliRun.of("server", "--help").out.replaceAll("\\s+", " ");
    assertTrue(help.contains("--capture-buffer=SIZE"), help);
    assertTrue(help.matches(".*--capture-buffer=SIZE [^-]*Default: 8m\\..*"), help);
  }

  @Test
  void theConfigFileTakesCaptureBufferAsAQuotedSize() throws Exception {
    assertEquals(16 << 20, load("capture_buffer = \"16m\"\n" + DOOR).captureBufferBytes());
    assertEquals(Config.DEFAULT_CAPTURE_BUFFER_BYTES, load(DOOR).captureBufferBytes());
    assertEquals("FILE line 1: capture_buffer must be a size in quotes, like \"8m\" or \"16MB\", not the integer 16",
        refused("capture_buffer = 16\n" + DOOR));
    assertEquals("FILE line 1: capture_buffer: '0m' is not a capture buffer size from 1m to 1024m",
        refused("capture_buffer = \"0m\"\n" + DOOR));
  }

  @Test
  void aConfigFilesCaptureBufferReachesTheServerSettings() throws Exception {
    Config file = load("capture_buffer = \"4m\"\n" + DOOR);
    assertEquals(4 << 20, org.udpknock.server.ServerConfig.of(file, "lo").settings().captureBufferBytes());
  }

  private Config load(String toml) throws IOException, ConfigException {
    Path file = dir.resolve("udpknock.toml");
    Files.writeString(file, toml);
    return ConfigFile.load(file);
  }

  private String refused(String toml) throws IOException {
    Path file = dir.resolve("udpknock.toml");
    Files.writeString(file, toml);
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.load(file), toml);
    return e.getMessage().replace(file.toString(), "FILE");
  }
}
