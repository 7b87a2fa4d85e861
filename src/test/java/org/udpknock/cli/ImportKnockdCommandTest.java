package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.config.Config;
import org.udpknock.config.ConfigFile;
import org.udpknock.core.KnockSequence;
import org.udpknock.door.ActionKind;
import org.udpknock.door.DoorConfig;

/**
 * {@code udpknock import-knockd} on real knockd.conf shapes: Debian's packaged default, the man
 * page's examples, the same shapes knocked with UDP, and shell commands. Every import that converts
 * a door loads and passes check-config.
 */
class ImportKnockdCommandTest {
  private static final Path KNOCKD = Path.of("src/test/resources/knockd");
  @TempDir Path dir;

  @Test
  void debiansDefaultKnocksWithTcpSoNoDoorConverts() {
    String file = KNOCKD.resolve("debian-default.conf").toString();
    CliRun run = CliRun.of("import-knockd", file);
    assertEquals(2, run.code);
    List<String> err = run.err.lines().toList();
    assertEquals(List.of(
        "not converted: " + file + " line 2: [options] usesyslog: udpknock writes its events to standard"
            + " output (the journal, under systemd) and keeps no pid file",
        "not converted: " + file + " line 5: [openSSH] sequence = 7000,8000,9000: TCP knocks (7000, 8000,"
            + " 9000; knockd's default protocol is TCP), and udpknock counts UDP knocks only; door not"
            + " converted (to knock with UDP instead, write the ports with :udp and import again)",
        "not converted: " + file + " line 11: [closeSSH] sequence = 9000,8000,7000: TCP knocks (9000, 8000,"
            + " 7000; knockd's default protocol is TCP), and udpknock counts UDP knocks only; door not"
            + " converted (to knock with UDP instead, write the ports with :udp and import again)",
        "not converted: " + file + " line 17: [openHTTPS] sequence = 12345,54321,24680,13579: TCP knocks"
            + " (12345, 54321, 24680, 13579; knockd's default protocol is TCP), and udpknock counts UDP knocks"
            + " only; door not converted (to knock with UDP instead, write the ports with :udp and import again)",
        "udpknock import-knockd: no door of " + file + " could be converted (see the notes above); udpknock"
            + " counts UDP knocks only."), err);
    for (String note : err.subList(0, 4)) {
      assertTrue(run.out.contains("# Not converted: " + note.substring("not converted: ".length()) + "\n"), note);
    }
  }

  @Test
  void theManPagesMixedSequenceIsNotConverted() {
    CliRun run = CliRun.of("import-knockd", KNOCKD.resolve("man-example-2.conf").toString());
    assertEquals(2, run.code);
    assertTrue(run.err.contains("line 5: [opencloseSSH] sequence = 2222:udp,3333:tcp,4444:udp: TCP knocks"
        + " (3333; knockd's default protocol is TCP)"), run.err);
  }

  @Test
  void theDocumentedShapesKnockedWithUdp() throws Exception {
    String file = KNOCKD.resolve("udp-doors.conf").toString();
    CliRun run = CliRun.of("import-knockd", file);
    assertEquals(0, run.code, run.err);
    assertEquals(List.of(
        "not converted: " + file + " line 3: [options] usesyslog: udpknock writes its events to standard"
            + " output (the journal, under systemd) and keeps no pid file",
        "not converted: " + file + " line 10: [openSSH] tcpflags = syn: dropped; it only concerns TCP"
            + " knocks, and this door's knocks are all UDP",
        "not converted: " + file + " line 16: [closeSSH] tcpflags = syn: dropped; it only concerns TCP"
            + " knocks, and this door's knocks are all UDP"), run.err.lines().toList());
    assertTrue(run.out.contains("\n[[door]]\nname = \"opencloseSSH\"\nsequence = [2222, 3333, 4444]\n"
        + "seq_timeout = \"15s\"\naction = \"none\"\nopen_for = \"5s\"\n"
        + "on_open = [\"/usr/sbin/iptables\", \"-A\", \"INPUT\", \"-s\", \"%IP%\", \"-p\", \"tcp\", \"--syn\","
        + " \"-j\", \"ACCEPT\"]\n"
        + "on_close = [\"/usr/sbin/iptables\", \"-D\", \"INPUT\", \"-s\", \"%IP%\", \"-p\", \"tcp\", \"--syn\","
        + " \"-j\", \"ACCEPT\"]\n"), run.out);
    Config config = loadAndCheck(run.out);
    assertEquals("eth0", config.interfaceName());
    assertEquals(List.of("openSSH", "closeSSH", "openHTTPS", "opencloseSSH"),
        config.doors().stream().map(DoorConfig::name).toList());
    DoorConfig openSsh = config.doors().get(0);
    assertEquals(KnockSequence.of(7000, 8000, 9000), openSsh.rules().sequence());
    assertEquals(5_000_000_000L, openSsh.rules().seqTimeoutNanos());
    assertEquals(ActionKind.NONE, openSsh.action());
    assertEquals(List.of("/sbin/iptables", "-A", "INPUT", "-s", "%IP%", "-p", "tcp", "--dport", "22", "-j",
        "ACCEPT"), openSsh.commands().onOpen());
    assertEquals(List.of(), openSsh.commands().onClose());
    assertEquals(KnockSequence.of(12345, 54321, 24680, 13579), config.doors().get(2).rules().sequence());
    DoorConfig openClose = config.doors().get(3);
    assertEquals(5_000_000_000L, openClose.openForNanos());
  }

  @Test
  void shellCommandsRunUnderShAndTheRestIsNamed() throws Exception {
    String file = KNOCKD.resolve("shell-and-unconvertible.conf").toString();
    CliRun run = CliRun.of("import-knockd", file);
    assertEquals(0, run.code, run.err);
    String shell = "# run by /bin/sh, as knockd ran it: the command uses shell syntax; %IP% is only ever a"
        + " parsed address\n";
    assertTrue(run.out.contains(shell + "on_open = [\"/bin/sh\", \"-c\", \"/bin/sh -c 'echo OPEN %IP%"
        + " $(date +%s.%N) >> /tmp/opened.txt'\"]\n"), run.out);
    assertTrue(run.out.contains("# renamed: a door's name is a letter, then letters, digits, '-' or '_'\n"
        + "[[door]]\nname = \"nft-door\"\nsequence = [23001, 23002]\nseq_timeout = \"25s\"   # knockd's default\n"
        + "action = \"none\"\nopen_for = \"10s\"      # knockd's default cmd_timeout\n"
        + shell + "on_open = [\"/bin/sh\", \"-c\", \"nft add element inet filter allowed { %IP% timeout 30s };"
        + " logger opened %IP%\"]\n"
        + shell + "on_close = [\"/bin/sh\", \"-c\", \"logger closed %IP% | tee -a /tmp/closed.txt\"]\n"), run.out);
    List<String> err = run.err.lines().toList();
    assertEquals(7, err.size(), run.err);
    for (String expected : List.of(" line 2: [options] logfile:", " line 3: [options] pidfile:",
        " line 16: [tcp] sequence = 7000:udp,8000,9000:udp: TCP knocks (8000;",
        " line 22: [router] target: udpknock has no equivalent",
        " line 26: [onetime] one_time_sequences: udpknock has no equivalent",
        " line 28: [onetime] start_command_6: a different command for IPv6 sources",
        " line 32: [mistyped] unknown directive 'comand'; door not converted")) {
      assertTrue(err.stream().anyMatch(line -> line.startsWith("not converted: " + file + expected)), expected);
      assertTrue(run.out.contains("# Not converted: " + file + expected), expected);
    }
    Config config = loadAndCheck(run.out);
    assertEquals(List.of("door", "nft-door"), config.doors().stream().map(DoorConfig::name).toList());
  }

  @Test
  void aMissingFile() {
    CliRun run = CliRun.of("import-knockd", dir.resolve("knockd.conf").toString());
    assertEquals(1, run.code);
    assertEquals("udpknock import-knockd: " + dir.resolve("knockd.conf") + " does not exist; give the path of"
        + " a knockd.conf.", run.oneLineError());
  }

  /** The import loads with the config loader, and check-config accepts it. */
  private Config loadAndCheck(String toml) throws Exception {
    Path file = dir.resolve("imported.toml");
    Files.writeString(file, toml);
    CliRun check = CliRun.of("check-config", file.toString());
    assertEquals(0, check.code, check.err);
    return ConfigFile.load(file);
  }
}
