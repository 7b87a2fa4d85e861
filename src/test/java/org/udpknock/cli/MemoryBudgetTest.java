package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.decode.LinkType;
import org.udpknock.fixtures.Packets;
import org.udpknock.pcapfile.PcapWriter;

/**
 * Issue 9: --max-sources 5000000 ran out of heap in the middle of a flood (and the table broke);
 * --nonce-cache 4000000 died at start with a stack trace. Now every bound is checked at start
 * against the heap, here the ones the launcher gives: the server's -Xmx72m -Xmn4m, the other
 * commands' -Xmx128m, with the serial collector (issue 11 lowered the server's from 128 MB).
 */
class MemoryBudgetTest {
  /** Runtime.maxMemory() under -Xmx128m -XX:+UseSerialGC (OpenJDK 17): 128 MB less a survivor space. */
  private static final long LAUNCHER_HEAP = 129_761_280L;
  /** Runtime.maxMemory() under the server's -Xmx72m -Xmn4m -XX:+UseSerialGC: 72 MB less a survivor space. */
  private static final long SERVER_HEAP = 75_104_256L;
  private static final Pattern SUGGESTED = Pattern.compile("UDPKNOCK_JAVA_OPTS=-Xmx([0-9]+)m");

  @TempDir Path dir;
  private LongSupplier realHeap;

  @BeforeEach
  void launcherHeap() {
    realHeap = MemoryBudget.maxHeapBytes;
    MemoryBudget.maxHeapBytes = () -> LAUNCHER_HEAP;
  }

  @AfterEach
  void realHeap() {
    MemoryBudget.maxHeapBytes = realHeap;
  }

  @Test
  void serverRefusesMoreSourcesThanTheHeapHoldsInOneSentence() {
    MemoryBudget.maxHeapBytes = () -> SERVER_HEAP;
    CliRun run = CliRun.of("server", "--max-sources", "5000000", "--seq-timeout", "60s");
    assertEquals(ExitCodes.USAGE, run.code, run.err);
    String message = run.oneLineError();
    assertTrue(message.contains("lower --max-sources (5000000) or raise the heap"), message);
    assertTrue(message.contains("this JVM has 71 MB"), message);
  }

  @Test
  void replayRefusesTheLargestMaxSourcesAndTheSuggestedHeapIsEnough() throws IOException {
    Path file = capture();
    CliRun refused = CliRun.of("replay", "--max-sources", "50000000", file.toString());
    assertEquals(ExitCodes.USAGE, refused.code, refused.err);
    Matcher suggested = SUGGESTED.matcher(refused.oneLineError());
    assertTrue(suggested.find(), refused.err);
    long megabytes = Long.parseLong(suggested.group(1));
    MemoryBudget.maxHeapBytes = () -> megabytes << 20;
    assertEquals(ExitCodes.OK, CliRun.of("replay", "--quiet", "--max-sources", "50000000", file.toString()).code,
        "the heap the message suggests must pass the check");
  }

  @Test
  void aNonceCacheTooLargeForTheHeapNamesTheNonceCache() throws IOException {
    Path key = dir.resolve("test.key");
    assertEquals(ExitCodes.OK, CliRun.of("keygen", key.toString()).code);
    CliRun run = CliRun.of("server", "--secret-file", key.toString(), "--nonce-cache", "4000000");
    assertEquals(ExitCodes.USAGE, run.code, run.err);
    assertTrue(run.oneLineError().contains("lower --nonce-cache (4000000)"), run.err);
  }

  @Test
  void theDefaultsFitTheLaunchersHeap() throws IOException {
    assertEquals(ExitCodes.OK, CliRun.of("replay", capture().toString()).code);
    MemoryBudget.maxHeapBytes = () -> SERVER_HEAP;
    MemoryBudget.check(1_000_000, 65_536, 100_000); // the server's defaults, in the server's heap
  }

  private Path capture() throws IOException {
    Path file = dir.resolve("one.pcap");
    try (OutputStream out = Files.newOutputStream(file)) {
      PcapWriter writer = new PcapWriter(out, LinkType.ETHERNET, false, ByteOrder.LITTLE_ENDIAN, 65535);
      byte[] frame = Packets.ethernet(Packets.udpKnock("10.0.0.1", "10.0.0.2", 40000, 12001));
      writer.write(1_795_000_000_000_000_000L, frame, 0, frame.length, frame.length);
      writer.flush();
    }
    return file;
  }
}
