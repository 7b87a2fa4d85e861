package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** keygen and the key-file checks of server, replay and knock: one sentence and an exit code each. */
class AuthCommandsTest {
  @TempDir Path dir;

  private Path key(String mode) throws IOException {
    Path key = dir.resolve("key-" + mode);
    Files.writeString(key, "00".repeat(32) + "\nserver-id test-server\n", StandardCharsets.US_ASCII);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString(mode));
    return key;
  }

  @Test
  void keygenWritesA0600KeyOfRandomHexAndSaysSoInOneLine() throws IOException {
    Path file = dir.resolve("knock.key");
    CliRun run = CliRun.of("keygen", file.toString());
    assertEquals(0, run.code, run.err);
    assertEquals(1, run.out.strip().lines().count(), run.out);
    assertTrue(run.out.contains(file.toString()), run.out);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    assertTrue(text.matches("[0-9a-f]{64}\nserver-id [0-9a-f]{16}\n"), text);
    assertTrue(run.out.contains("server-id " + text.substring(75, 91)), run.out);

    CliRun second = CliRun.of("keygen", dir.resolve("other.key").toString());
    assertEquals(0, second.code, second.err);
    String other = Files.readString(dir.resolve("other.key"));
    assertFalse(text.substring(0, 64).equals(other.substring(0, 64)), "two keys must differ");
    assertFalse(text.substring(65).equals(other.substring(65)), "two server ids must differ");
    CliRun named = CliRun.of("keygen", "--server-id", "web-1.example.org", dir.resolve("named.key").toString());
    assertEquals(0, named.code, named.err);
    assertTrue(Files.readString(dir.resolve("named.key")).endsWith("\nserver-id web-1.example.org\n"));
    // The key it wrote is accepted by replay (which reads no capture before checking it).
    CliRun replay = CliRun.of("replay", "--secret-file", file.toString(), "pcaps/gen-auth-wrong-key.pcap");
    assertEquals(0, replay.code, replay.err);
    assertFalse(replay.out.contains(text.strip()), "the key is never printed");
  }

  @Test
  void keygenRefusesToOverwriteAnExistingFile() throws IOException {
    Path file = dir.resolve("existing.key");
    Files.writeString(file, "precious\n");
    CliRun run = CliRun.of("keygen", file.toString());
    assertEquals(1, run.code, run.err);
    String message = run.oneLineError();
    assertTrue(message.contains("already exists") && message.contains("never overwrites"), message);
    assertEquals("precious\n", Files.readString(file), "the file is untouched");
  }

  @Test
  void keygenIntoAMissingDirectoryIsOneSentence() {
    CliRun run = CliRun.of("keygen", dir.resolve("no/such/dir/k").toString());
    assertEquals(1, run.code, run.err);
    assertTrue(run.oneLineError().contains("directory exists"), run.err);
  }

  @ParameterizedTest
  @ValueSource(strings = {"rw-r-----", "rw----r--", "rw--w----", "rw-----w-", "rw-rw-rw-", "rw------x", "rw---x---"})
  void aKeyOpenToGroupOrOthersIsRefusedByEveryCommand(String mode) throws IOException {
    Path key = key(mode);
    String[][] commands = {
        {"replay", "--secret-file", key.toString(), "pcaps/gen-auth-wrong-key.pcap"},
        {"knock", "--secret-file", key.toString(), "--no-connect", "127.0.0.1"},
        {"server", "-i", "lo", "--secret-file", key.toString()},
    };
    for (String[] command : commands) {
      CliRun run = CliRun.of(command);
      assertEquals(1, run.code, command[0] + ": " + run.err);
      String message = run.oneLineError();
      assertTrue(message.contains(key.toString()) && message.contains("chmod 600 " + key), message);
      assertEquals("", run.out, command[0] + " printed nothing else");
    }
  }

  /** The key is checked first: an unknown interface would otherwise be the complaint (exit 2). */
  @Test
  void theServerRefusesAGroupReadableKeyBeforeLookingAtAnyCapture() throws IOException {
    CliRun run = CliRun.of("server", "-i", "nosuchif0", "--secret-file", key("rw-r-----").toString());
    assertEquals(1, run.code, run.err);
    assertTrue(run.oneLineError().contains("chmod 600"), run.err);
  }

  @Test
  void aMissingOrIllFormedKeyIsOneSentenceAndExit1() throws IOException {
    Path missing = dir.resolve("missing.key");
    CliRun run = CliRun.of("replay", "--secret-file", missing.toString(), "pcaps/gen-auth-wrong-key.pcap");
    assertEquals(1, run.code);
    assertTrue(run.oneLineError().contains("udpknock keygen " + missing), run.err);

    String hex = HexFormat.of().formatHex(new byte[32]);
    for (String content : new String[] {"", "00".repeat(31), "00".repeat(33), "zz".repeat(32),
        hex + "\nserver-id a\nextra", "server-id a\n" + hex}) {
      Path bad = dir.resolve("bad.key");
      Files.deleteIfExists(bad);
      Files.writeString(bad, content);
      Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rw-------"));
      CliRun ill = CliRun.of("knock", "--secret-file", bad.toString(), "--no-connect", "127.0.0.1");
      assertEquals(1, ill.code, content);
      assertTrue(ill.oneLineError().contains("64 hex digits"), ill.err);
    }
    for (String line : new String[] {"extra", "server-id", "server-id two words", "server-id " + "x".repeat(65),
        "server_id a"}) {
      Path bad = dir.resolve("bad.key");
      Files.deleteIfExists(bad);
      Files.writeString(bad, hex + "\n" + line + "\n");
      Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rw-------"));
      CliRun ill = CliRun.of("knock", "--secret-file", bad.toString(), "--no-connect", "127.0.0.1");
      assertEquals(1, ill.code, line);
      assertTrue(ill.oneLineError().contains("'server-id NAME'"), ill.err);
    }
    CliRun directory = CliRun.of("server", "-i", "lo", "--secret-file", dir.toString());
    assertEquals(1, directory.code);
    assertTrue(directory.oneLineError().contains("is a directory"), directory.err);
  }

  @Test
  void badAuthOptionsAreUsageErrors() throws IOException {
    String key = key("rw-------").toString();
    for (String[] args : new String[][] {
        {"replay", "--secret-file", key, "--max-skew", "0s", "pcaps/gen-auth-wrong-key.pcap"},
        {"replay", "--secret-file", key, "--max-skew", "soon", "pcaps/gen-auth-wrong-key.pcap"},
        {"server", "--secret-file", key, "--max-skew", "-5s"},
        {"replay", "--secret-file", key, "--max-ahead", "0ms", "pcaps/gen-auth-wrong-key.pcap"},
        {"replay", "--secret-file", key, "--max-ahead", "later", "pcaps/gen-auth-wrong-key.pcap"},
        {"server", "--secret-file", key, "--max-ahead", "0s"},
        {"server", "--secret-file", key, "--nonce-cache", "0"},
        {"knock", "--secret-file", key, "--server-id", "two words", "--no-connect", "127.0.0.1"},
        {"server", "--secret-file", key, "--server-id", ""},
        {"replay", "--secret-file", key, "--server-id", "x".repeat(65), "pcaps/gen-auth-wrong-key.pcap"},
        {"replay", "--secret-file", key, "--not-before", "yesterday", "pcaps/gen-auth-wrong-key.pcap"},
        {"replay", "--secret-file", key, "--not-before", "3000-01-01T00:00:00Z", "pcaps/gen-auth-wrong-key.pcap"},
        {"replay", "--not-before", "2026-11-24T12:00:00Z", "pcaps/gen-auth-wrong-key.pcap"},
        {"keygen", "--server-id", "two words", dir.resolve("k").toString()},
    }) {
      CliRun run = CliRun.of(args);
      assertEquals(2, run.code, String.join(" ", args) + ": " + run.err);
      run.oneLineError();
    }
  }

  /** The two bounds are independent: a max-ahead longer than the max-skew is no error. */
  @Test
  void maxAheadMayBeLongerThanMaxSkew() throws IOException {
    Path key = org.udpknock.fixtures.TestKeys.privateCopy(Path.of("pcaps/gen-auth.key"), dir);
    CliRun run = CliRun.of("replay", "--secret-file", key.toString(), "--max-skew", "1s", "--max-ahead", "10s",
        "pcaps/gen-auth-wrong-key.pcap");
    assertEquals(0, run.code, run.err);
    assertTrue(run.out.contains("3 rejected (malformed 0, old-version 0, bad-tag 3,"), run.out);
  }

  /**
   * The recorded capture replayed twice in one run grants once: the second copy's nonces are
   * still in the cache (its packet times step back, which counts as no time passing).
   */
  @Test
  void replayingARecordedAuthenticatedCaptureTwiceGrantsOnce() throws IOException {
    Path key = org.udpknock.fixtures.TestKeys.privateCopy(Path.of("pcaps/lo-auth.key"), dir);
    String capture = "pcaps/lo-auth-udpknock-happy.pcap";
    CliRun once = CliRun.of("replay", "--secret-file", key.toString(), capture);
    assertEquals(0, once.code, once.err);
    assertEquals(1, once.out.lines().filter(line -> line.contains(" granted default ")).count(), once.out);

    CliRun twice = CliRun.of("replay", "--secret-file", key.toString(), capture, capture);
    assertEquals(0, twice.code, twice.err);
    assertEquals(1, twice.out.lines().filter(line -> line.contains(" granted default ")).count(), twice.out);
    assertEquals(3, twice.out.lines().filter(line -> line.endsWith(" replayed")).count(), twice.out);
    assertTrue(twice.out.contains("3 rejected (malformed 0, old-version 0, bad-tag 0, wrong-stage 0, stale 0,"
        + " before-start 0, replayed 3, cache-full 0)"), twice.out);

    CliRun json = CliRun.of("replay", "--json", "--secret-file", key.toString(), capture, capture);
    assertTrue(json.out.contains("{\"event\":\"rejected\""), json.out);
    assertTrue(json.out.contains(",\"rejected\":3,\"rejected_by_reason\":{\"malformed\":0,\"old-version\":0,"
        + "\"bad-tag\":0,\"wrong-stage\":0,\"stale\":0,\"before-start\":0,\"replayed\":3,\"cache-full\":0}}"),
        json.out);

    CliRun plain = CliRun.of("replay", capture, capture);
    assertEquals(2, plain.out.lines().filter(line -> line.contains(" granted default ")).count(),
        "in plain mode the same capture grants twice: " + plain.out);
    assertFalse(plain.out.contains("rejected"), "plain mode's summary is unchanged: " + plain.out);
  }

  @Test
  void quietReplayHidesRejectedEventsButCountsThem() throws IOException {
    Path key = org.udpknock.fixtures.TestKeys.privateCopy(Path.of("pcaps/gen-auth.key"), dir);
    CliRun run = CliRun.of("replay", "--quiet", "--secret-file", key.toString(), "pcaps/gen-auth-wrong-key.pcap");
    assertEquals(0, run.code, run.err);
    assertFalse(run.out.contains(" rejected default 10.0.0.2"), run.out);
    assertTrue(run.out.contains("3 rejected (malformed 0, old-version 0, bad-tag 3,"), run.out);
  }

  /**
   * The scan guard is on by default in plain mode only: in authenticated mode a sweep carries no
   * valid tag, and a guard would let a spoofer block a client. An explicit --scan-guard still wins.
   */
  @Test
  void scanGuardIsOffByDefaultInAuthenticatedModeAndOnWhenAskedFor() throws IOException {
    Path key = org.udpknock.fixtures.TestKeys.privateCopy(Path.of("pcaps/gen-auth.key"), dir);
    String sweep = "pcaps/lo-sweep-ascending.pcap";
    CliRun plain = CliRun.of("replay", "--quiet", sweep);
    CliRun authenticated = CliRun.of("replay", "--quiet", "--secret-file", key.toString(), sweep);
    CliRun guarded = CliRun.of("replay", "--quiet", "--secret-file", key.toString(), "--scan-guard", "100", sweep);
    assertEquals(0, plain.code + authenticated.code + guarded.code, plain.err + authenticated.err + guarded.err);
    assertTrue(plain.out.contains(" 200 guard hits,"), plain.out);
    assertTrue(authenticated.out.contains(" 0 guard hits,"), authenticated.out);
    assertTrue(guarded.out.contains(" 200 guard hits,"), guarded.out);
  }
}
