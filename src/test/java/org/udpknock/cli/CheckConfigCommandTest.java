package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.auth.KeyFile;
import org.udpknock.auth.ServerId;
import org.udpknock.config.Config;
import org.udpknock.decode.CaptureFilter;
import org.udpknock.decode.LinkType;

/** {@code udpknock check-config FILE}: one line per door, the capture filter, exit 0 or 2. */
class CheckConfigCommandTest {
  @TempDir Path dir;

  @Test
  void theIssuesExample() throws Exception {
    KeyFile.create(dir.resolve("ssh.key"), ServerId.of("gate"), new SecureRandom());
    Path file = Files.copy(Path.of("src/test/resources/config/example.toml"), dir.resolve("udpknock.toml"));
    CliRun run = CliRun.of("check-config", file.toString());
    assertEquals("", run.err);
    assertEquals(0, run.code);
    assertEquals(List.of(
        "door \"hello\": knocks 12001,12002,12003 within 5s, guard 100 ports (watches 11901-12103),"
            + " open for 30s, greet on TCP 2223",
        "door \"ssh\": knocks 15218,12912,17484 within 5s, authenticated for server gate, guard off"
            + " (watches 12912,15218,17484), open for 30s, nftables guards TCP 22",
        "door \"ssh-relay\": knocks 23001,19552,21077 within 5s, guard 100 ports (watches"
            + " 19452-19652,21077,22901-23101), open for 30s, forward TCP 2222 to 127.0.0.1:22, on_open"
            + " [\"/usr/bin/logger\", \"-t\", \"udpknock\", \"opened %DOOR% for %IP%\"]",
        "capture filter: (udp and (dst portrange 11901-12103 or dst port 12912 or dst port 15218 or dst"
            + " port 17484 or dst portrange 19452-19652 or dst port 21077 or dst portrange 22901-23101))"
            + " or (ip6 and (ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 44 or ip6[6] == 60))",
        file + ": ok, 3 doors"), run.out.lines().toList());
  }

  @Test
  void aFleetMembersStoreAndSharedDoorsAreSaid() throws Exception {
    KeyFile.create(dir.resolve("fleet.key"), ServerId.of("fleet"), new SecureRandom());
    Path file = dir.resolve("udpknock.toml");
    Files.writeString(file, "grant_store = \"redis://10.0.0.5:6379/0\"\nfleet_key_file = \"fleet.key\"\n"
        + "host_name = \"a\"\n[[door]]\nname = \"ssh\"\nsequence = [7001, 7002, 7003]\nshared = true\n"
        + "on_open = [\"/bin/true\"]\n");
    CliRun run = CliRun.of("check-config", file.toString());
    assertEquals(0, run.code, run.err);
    List<String> lines = run.out.lines().toList();
    assertEquals(true, lines.get(0).endsWith(", on_open [\"/bin/true\"], shared with the fleet (commands run where"
        + " the knock is seen)"), lines.get(0));
    assertEquals("grant store: redis://10.0.0.5:6379/0, as host \"a\", messages signed with the fleet key",
        lines.get(1));
  }

  @Test
  void theSampleConfigIsAccepted() {
    CliRun run = CliRun.of("check-config", "scripts/udpknock.toml");
    assertEquals(0, run.code, run.err);
    assertEquals("door \"default\": knocks 12001,12002,12003 within 5s, guard 100 ports (watches 11901-12103),"
        + " open for 30s, greet on TCP 2223", run.out.lines().findFirst().orElseThrow());
  }

  @Test
  void aBadFileIsOneSentenceAndExitCode2() throws Exception {
    Path file = dir.resolve("bad.toml");
    Files.writeString(file, "[[door]]\nname = \"ssh\"\nsequense = [1]\n");
    CliRun run = CliRun.of("check-config", file.toString());
    assertEquals(2, run.code);
    assertEquals("", run.out);
    assertEquals("udpknock check-config: " + file + " line 3: door 1: unknown key 'sequense'; the keys of a"
        + " door are: name, sequence, seq_timeout, scan_guard, secret_file, server_id, max_skew, max_ahead, nonce_cache,"
        + " open_for, action, port, protocol, bind, greeting, write_timeout, forward_to, connect_timeout,"
        + " max_connections, on_open, on_close, command_timeout, shared, commands.", run.oneLineError());
    CliRun missing = CliRun.of("check-config", dir.resolve("none.toml").toString());
    assertEquals(2, missing.code);
    assertEquals("udpknock check-config: " + dir.resolve("none.toml") + " does not exist; check the path.",
        missing.oneLineError());
  }

  @Test
  void oneDoorsFilterIsTheSingleDoorFilter() {
    List<int[]> ranges = org.udpknock.core.ScanGuard.of(org.udpknock.core.KnockSequence.DEFAULT, 100).watchedPortRanges();
    for (int link : new int[] {LinkType.ETHERNET, LinkType.LINUX_SLL}) {
      assertEquals(CaptureFilter.of(link, ranges), CaptureFilter.ofAll(link, List.of(ranges)));
      assertEquals(CaptureFilter.of(link, ranges), CaptureFilter.ofAll(link, List.of(ranges, ranges)));
    }
  }

  @Test
  void theLimitsAreTheCommandLines() {
    assertEquals(EngineOptions.MAX_SOURCES_LIMIT, Config.MAX_TABLE_SIZE);
    assertEquals(AuthOptions.MAX_NONCE_CACHE, Config.MAX_TABLE_SIZE);
  }
}
