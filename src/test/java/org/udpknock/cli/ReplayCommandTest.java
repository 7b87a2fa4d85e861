package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.udpknock.decode.LinkType;
import org.udpknock.fixtures.Packets;
import org.udpknock.pcapfile.PcapWriter;

class ReplayCommandTest {
  private static final long T0 = 1_795_000_000_000_000_000L;
  private static final long MS = 1_000_000L;

  @TempDir Path dir;

  private Path capture(String name, long... timesAndPorts) throws IOException {
    Path file = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(file)) {
      PcapWriter writer = new PcapWriter(out, LinkType.ETHERNET, false, ByteOrder.LITTLE_ENDIAN, 65535);
      for (int i = 0; i < timesAndPorts.length; i += 2) {
        byte[] frame = Packets.ethernet(Packets.udpKnock("10.0.0.1", "10.0.0.2", 40000, (int) timesAndPorts[i + 1]));
        writer.write(T0 + timesAndPorts[i], frame, 0, frame.length, frame.length);
      }
      writer.flush();
    }
    return file;
  }

  @Test
  void severalFilesAreReplayedAsOneStream() throws IOException {
    Path first = capture("first.pcap", 0, 12001);
    Path second = capture("second.pcap", 10 * MS, 12002, 20 * MS, 12003);
    CliRun run = CliRun.of("replay", first.toString(), second.toString());
    assertEquals(0, run.code, run.err);
    assertEquals(List.of(
        "2026-11-18T11:06:40.000000Z knock default 10.0.0.1 port 12001 stage 1/3",
        "2026-11-18T11:06:40.010000Z knock default 10.0.0.1 port 12002 stage 2/3",
        "2026-11-18T11:06:40.020000Z knock default 10.0.0.1 port 12003 stage 3/3",
        "2026-11-18T11:06:40.020000Z granted default 10.0.0.1",
        "summary default: 3 knocks, 1 granted, 0 guard hits, 0 blocked knocks",
        "summary: 3 packets, 3 knocks, 1 granted, 0 guard hits, 0 blocked knocks, 0 skipped (truncated 0, malformed 0, unknown-link-type 0)"),
        run.out.lines().toList());
  }

  @Test
  void jsonPrintsOneObjectPerLineWithTimeAndSource() throws IOException {
    Path file = capture("knocks.pcap", 0, 12001, 1, 12003, 2, 12001, 3, 12002, 4, 12003);
    CliRun run = CliRun.of("replay", "--json", file.toString());
    assertEquals(0, run.code, run.err);
    assertEquals(List.of(
        "{\"event\":\"knock\",\"time\":\"2026-11-18T11:06:40.000000Z\",\"door\":\"default\",\"source\":\"10.0.0.1\",\"port\":12001,\"stage\":1}",
        "{\"event\":\"reset\",\"time\":\"2026-11-18T11:06:40.000000Z\",\"door\":\"default\",\"source\":\"10.0.0.1\",\"reason\":\"wrong-port\"}",
        "{\"event\":\"knock\",\"time\":\"2026-11-18T11:06:40.000000Z\",\"door\":\"default\",\"source\":\"10.0.0.1\",\"port\":12001,\"stage\":1}",
        "{\"event\":\"knock\",\"time\":\"2026-11-18T11:06:40.000000Z\",\"door\":\"default\",\"source\":\"10.0.0.1\",\"port\":12002,\"stage\":2}",
        "{\"event\":\"knock\",\"time\":\"2026-11-18T11:06:40.000000Z\",\"door\":\"default\",\"source\":\"10.0.0.1\",\"port\":12003,\"stage\":3}",
        "{\"event\":\"granted\",\"time\":\"2026-11-18T11:06:40.000000Z\",\"door\":\"default\",\"source\":\"10.0.0.1\"}",
        "{\"event\":\"summary\",\"time\":\"2026-11-18T11:06:40.000000Z\",\"packets\":5,\"knocks\":5,\"grants\":1,"
            + "\"guard_hits\":0,\"blocked_knocks\":0,\"skipped\":0,\"skipped_by_reason\":{\"truncated\":0,\"malformed\":0,\"unknown-link-type\":0},\"doors\":[{\"door\":\"default\",\"knocks\":5,\"grants\":1,\"guard_hits\":0,\"blocked_knocks\":0}]}"),
        run.out.lines().toList());
  }

  @Test
  void optionsChangeTheRules() throws IOException {
    Path file = capture("slow.pcap", 0, 12001, 400 * MS, 12002, 800 * MS, 12003);
    assertTrue(CliRun.of("replay", file.toString()).out.contains("granted default 10.0.0.1"));
    CliRun strict = CliRun.of("replay", "--seq-timeout", "500ms", file.toString());
    assertTrue(strict.out.contains("reset default 10.0.0.1 expired"), strict.out);
    assertTrue(!strict.out.contains("granted default 10.0.0.1"), strict.out);
    // 12001 is next to this sequence: without --scan-guard 0 it would block the source.
    CliRun other = CliRun.of("replay", "--sequence", "12002,12003", "--scan-guard", "0", file.toString());
    assertTrue(other.out.contains("granted default 10.0.0.1"), other.out);
    assertTrue(other.out.contains("stage 2/2"), other.out);
  }

  @Test
  void theScanGuardStopsASweepAndZeroTurnsItOff() throws IOException {
    // An ascending sweep from 11995 to 12010, one port per millisecond.
    long[] sweep = new long[32];
    for (int i = 0; i < 16; i++) {
      sweep[2 * i] = i * MS;
      sweep[2 * i + 1] = 11995 + i;
    }
    Path file = capture("sweep.pcap", sweep);
    CliRun guarded = CliRun.of("replay", file.toString());
    assertEquals(0, guarded.code, guarded.err);
    assertEquals(List.of(
        "2026-11-18T11:06:40.000000Z guard default 10.0.0.1 port 11995",
        "2026-11-18T11:06:40.006000Z blocked default 10.0.0.1 port 12001", // the sweep's first port
        "summary default: 3 knocks, 0 granted, 13 guard hits, 1 blocked knocks",
        "summary: 16 packets, 3 knocks, 0 granted, 13 guard hits, 1 blocked knocks, 0 skipped (truncated 0, malformed 0, unknown-link-type 0)"),
        guarded.out.lines().toList());
    CliRun json = CliRun.of("replay", "--json", "--scan-guard", "5", file.toString());
    assertEquals(List.of(
        "{\"event\":\"guard\",\"time\":\"2026-11-18T11:06:40.001000Z\",\"door\":\"default\",\"source\":\"10.0.0.1\",\"port\":11996}",
        "{\"event\":\"blocked\",\"time\":\"2026-11-18T11:06:40.006000Z\",\"door\":\"default\",\"source\":\"10.0.0.1\",\"port\":12001}",
        "{\"event\":\"summary\",\"time\":\"2026-11-18T11:06:40.015000Z\",\"packets\":16,\"knocks\":3,\"grants\":0,"
            + "\"guard_hits\":10,\"blocked_knocks\":1,\"skipped\":0,\"skipped_by_reason\":{\"truncated\":0,\"malformed\":0,\"unknown-link-type\":0},\"doors\":[{\"door\":\"default\",\"knocks\":3,\"grants\":0,\"guard_hits\":10,\"blocked_knocks\":1}]}"),
        json.out.lines().toList());
    CliRun off = CliRun.of("replay", "--scan-guard", "0", file.toString());
    assertTrue(off.out.contains("granted default 10.0.0.1"), off.out);
    assertTrue(off.out.contains("0 guard hits, 0 blocked knocks"), off.out);
    assertEquals("", off.err);
  }

  @Test
  void theGuardDropsAnAttemptInProgress() throws IOException {
    Path file = capture("dropped.pcap", 0, 12001, 1 * MS, 12002, 2 * MS, 12050, 3 * MS, 12003);
    CliRun run = CliRun.of("replay", file.toString());
    assertEquals(List.of(
        "2026-11-18T11:06:40.000000Z knock default 10.0.0.1 port 12001 stage 1/3",
        "2026-11-18T11:06:40.001000Z knock default 10.0.0.1 port 12002 stage 2/3",
        "2026-11-18T11:06:40.002000Z guard default 10.0.0.1 port 12050",
        "2026-11-18T11:06:40.002000Z reset default 10.0.0.1 guard",
        "summary default: 3 knocks, 0 granted, 1 guard hits, 0 blocked knocks",
        "summary: 4 packets, 3 knocks, 0 granted, 1 guard hits, 0 blocked knocks, 0 skipped (truncated 0, malformed 0, unknown-link-type 0)"),
        run.out.lines().toList());
    CliRun quiet = CliRun.of("replay", "--quiet", file.toString());
    assertEquals(2, quiet.out.lines().count(), "quiet prints only grants and the summary (the door's and the capture's): " + quiet.out);
  }

  @Test
  void anEmptyCaptureGivesAnEmptySummary() throws IOException {
    CliRun run = CliRun.of("replay", "--json", capture("empty.pcap").toString());
    assertEquals(0, run.code);
    assertTrue(run.out.startsWith("{\"event\":\"summary\",\"time\":null,\"packets\":0,"), run.out);
  }

  @Test
  void aMissingFileIsOneSentenceAndExitCode1() {
    CliRun run = CliRun.of("replay", dir.resolve("nope.pcap").toString());
    assertEquals(1, run.code);
    assertTrue(run.oneLineError().contains("nope.pcap: no such file"), run.err);
    assertEquals("", run.out, "nothing is replayed when a file is missing");
  }

  @Test
  void aMissingSecondFileStopsBeforeAnyOutput() throws IOException {
    Path good = capture("good.pcap", 0, 12001);
    CliRun run = CliRun.of("replay", good.toString(), dir.resolve("gone.pcap").toString());
    assertEquals(1, run.code);
    assertEquals("", run.out);
  }

  @Test
  void aDirectoryIsRefused() {
    CliRun run = CliRun.of("replay", dir.toString());
    assertEquals(1, run.code);
    assertTrue(run.oneLineError().contains("is a directory"), run.err);
  }

  @Test
  void aFileThatIsNotACaptureIsOneSentenceAndExitCode1() throws IOException {
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "these are not packets\n", StandardCharsets.UTF_8);
    CliRun run = CliRun.of("replay", text.toString());
    assertEquals(1, run.code);
    assertTrue(run.oneLineError().contains("not a pcap or pcapng"), run.err);
  }

  @Test
  void anEmptyFileIsNotACapture() throws IOException {
    Path empty = Files.createFile(dir.resolve("zero.pcap"));
    CliRun run = CliRun.of("replay", empty.toString());
    assertEquals(1, run.code);
    run.oneLineError();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
    "--sequence 12001,0           | 12001,0",
    "--sequence 12001,,12003      | 12001,,12003",
    "--sequence 12001,70000       | 70000",
    "--sequence abc               | abc",
    "--seq-timeout -1s            | -1s",
    "--seq-timeout soon           | soon",
    "--max-sources 0              | 0",
    "--max-sources many           | many",
    "--scan-guard -1              | -1",
    "--scan-guard 1001            | 1001",
    "--scan-guard 99999999999     | 99999999999",
    "--scan-guard wide            | wide",
    "--bogus                      | --bogus",
  })
  void badOptionsAreOneSentenceNamingTheValueAndExitCode2(String options, String named) throws IOException {
    Path file = capture("any.pcap", 0, 12001);
    List<String> args = new java.util.ArrayList<>(List.of("replay"));
    args.addAll(List.of(options.split(" ")));
    args.add(file.toString());
    CliRun run = CliRun.of(args.toArray(String[]::new));
    assertEquals(2, run.code, run.err);
    assertTrue(run.oneLineError().contains(named), run.err);
  }

  @Test
  void aSequenceOfThirtyThreePortsIsRefused() throws IOException {
    String ports = String.join(",", java.util.Collections.nCopies(33, "7000"));
    CliRun run = CliRun.of("replay", "--sequence", ports, capture("x.pcap").toString());
    assertEquals(2, run.code);
    assertTrue(run.oneLineError().contains("33"), run.err);
  }

  @Test
  void noFileIsBadUsage() {
    CliRun run = CliRun.of("replay");
    assertEquals(2, run.code);
    assertTrue(run.oneLineError().contains("FILE"), run.err);
  }

  /**
   * Regression: a FIFO hung the replay (its pre-check read the header and closed it, then the
   * replay opened it again and waited for a writer that had gone). Now it is opened once, and
   * followed live: the first knock is printed while the writer still holds the rest back.
   */
  @Test
  void aFifoIsReadOnceAndFollowedLive() throws Exception {
    byte[] capture = Files.readAllBytes(capture("live.pcap", 0, 12001, 10 * MS, 12002, 20 * MS, 12003));
    int firstKnockEnd = 24 + (capture.length - 24) / 3; // three records of the same length
    Path fifo = dir.resolve("knocks.fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertEquals(0, mkfifo.waitFor(), "mkfifo");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter buffered = new PrintWriter(new BufferedWriter(out, 1 << 16)); // as Main's: shown when flushed
    AtomicInteger code = new AtomicInteger(-1);
    Thread replay = new Thread(() -> code.set(Main.run(buffered, new PrintWriter(err), "replay", fifo.toString())));
    replay.setDaemon(true);
    replay.start();
    try (OutputStream writer = Files.newOutputStream(fifo)) { // waits for the replay to open it
      writer.write(capture, 0, firstKnockEnd);
      writer.flush();
      awaitText(out, "knock default 10.0.0.1 port 12001 stage 1/3");
      assertFalse(out.toString().contains("12002"), out.toString());
      writer.write(capture, firstKnockEnd, capture.length - firstKnockEnd);
    }
    replay.join(10_000);
    assertFalse(replay.isAlive(), "the replay did not end when its FIFO was closed; output: " + out);
    assertEquals(0, code.get(), err.toString());
    assertTrue(out.toString().contains("granted default 10.0.0.1"), out.toString());
    assertTrue(out.toString().contains("summary: 3 packets, 3 knocks, 1 granted"), out.toString());
  }

  private static void awaitText(StringWriter out, String text) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000 * MS;
    while (!out.toString().contains(text)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no '" + text + "' within 10 s; output so far: <" + out + ">");
      }
      Thread.sleep(10);
    }
  }

  @Test
  void standardInputCanBeGivenOnlyOnce() throws IOException {
    CliRun run = CliRun.of("replay", "-", capture("x.pcap").toString(), "-");
    assertEquals(2, run.code);
    assertTrue(run.oneLineError().contains("standard input"), run.err);
  }

  @Test
  void aZeroSequenceTimeoutIsRefusedAsTheServerRefusesIt() throws IOException {
    CliRun run = CliRun.of("replay", "--seq-timeout", "0", capture("x.pcap", 0, 12001).toString());
    assertEquals(2, run.code, run.out);
    assertEquals("udpknock replay: --seq-timeout must be longer than 0.",
        run.oneLineError());
    assertEquals("", run.out);
  }

  @Test
  void helpWorks() {
    CliRun run = CliRun.of("replay", "--help");
    assertEquals(0, run.code);
    assertTrue(run.out.contains("--seq-timeout"), run.out);
  }
}
