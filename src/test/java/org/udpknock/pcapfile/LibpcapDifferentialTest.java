package org.udpknock.pcapfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.udpknock.pcapfile.CaptureFiles.hex;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.udpknock.decode.LinkType;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapHandle.TimestampPrecision;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;
import org.udpknock.pcapfile.CaptureFiles.ReadFrame;

/**
 * Every file reads the same as libpcap (through pcap4j) reads it: the same frames, bytes,
 * original lengths, link types and nanosecond timestamps. The files: ones from our writers, ones
 * libpcap wrote, captures tcpdump wrote (test resources), a pcapng with a binary resolution and
 * a time offset, and every capture in the repository's {@code pcaps/} directory (and in the
 * directory named by the system property {@code udpknock.pcaps}, if set).
 *
 * <p>Only times before 2038 are used: libpcap reads the pcap seconds field as signed, this
 * reader as unsigned (as the pcap specification says). Only caplen >= 1 and fractions below one
 * second: pcap4j throws on anything else.
 */
class LibpcapDifferentialTest {
  private static final long[] TIMES = {
      1, 999, 1_000, 1_700_000_000_000_000_001L, 1_700_000_000_123_456_789L,
      1_700_000_000_999_999_999L, 2_000_000_000_000_000_000L, 1_700_000_000_000_000_000L};
  private static final int[] SIZES = {1, 3, 42, 74, 1514, 9000, 65535, 60};

  @TempDir Path dir;
  private final AtomicLong comparedFrames = new AtomicLong();

  @TestFactory
  Stream<DynamicTest> everyFileReadsAsLibpcapReadsIt() throws Exception {
    requireLibpcap();
    List<Path> generated = new ArrayList<>();
    generated.add(writePcap("ours-us-le.pcap", false, ByteOrder.LITTLE_ENDIAN));
    generated.add(writePcap("ours-ns-be.pcap", true, ByteOrder.BIG_ENDIAN));
    generated.add(writePcapNg("ours-le.pcapng", ByteOrder.LITTLE_ENDIAN));
    generated.add(writePcapNg("ours-be.pcapng", ByteOrder.BIG_ENDIAN));
    generated.add(writeWithLibpcap("libpcap-ns.pcap", TimestampPrecision.NANO));
    generated.add(writeWithLibpcap("libpcap-us.pcap", TimestampPrecision.MICRO));
    generated.add(writeBinaryResolutionPcapNg("binary-resolution-offset.pcapng"));
    generated.add(resource("tcpdump-lo-nanosecond.pcap"));
    generated.add(resource("tcpdump-any-sll2-snaplen96.pcap"));

    Stream<DynamicTest> ownFiles = generated.stream().map(file -> DynamicTest.dynamicTest(
        file.getFileName().toString(), () -> assertTrue(compare(file) > 0, "no frames")));
    Stream<DynamicTest> repositoryFiles = repositoryCaptures().stream().map(file ->
        DynamicTest.dynamicTest(file.toString(), () -> {
          Assumptions.assumeTrue(libpcapCanRead(file), "libpcap cannot read mixed link types");
          compare(file);
        }));
    Stream<DynamicTest> total = Stream.of(DynamicTest.dynamicTest("frames were compared",
        () -> assertTrue(comparedFrames.get() > 0, "no frames were compared")));
    return Stream.of(ownFiles, repositoryFiles, total).flatMap(s -> s);
  }

  /** Reads the file both ways and compares frame by frame; returns the number of frames. */
  private int compare(Path file) throws Exception {
    List<ReadFrame> ours = CaptureFiles.readAll(file);
    PcapHandle handle = Pcaps.openOffline(file.toString(), TimestampPrecision.NANO);
    int count = 0;
    try {
      while (true) {
        byte[] theirs;
        try {
          theirs = handle.getNextRawPacketEx();
        } catch (EOFException end) {
          break;
        }
        if (count >= ours.size()) {
          fail(file + ": libpcap has more than our " + ours.size() + " frames");
        }
        ReadFrame frame = ours.get(count);
        String where = file + " frame " + (count + 1);
        assertArrayEquals(theirs, frame.data(), where);
        assertEquals(handle.getOriginalLength().intValue(), frame.originalLength(), where);
        assertEquals(handle.getDlt().value().intValue(), asLibpcapDlt(frame.linkType()), where);
        Timestamp time = handle.getTimestamp();
        assertEquals(Math.floorDiv(time.getTime(), 1000L),
            Math.floorDiv(frame.timeNanos(), 1_000_000_000L), where + " seconds");
        assertEquals(time.getNanos(), Math.floorMod(frame.timeNanos(), 1_000_000_000L),
            where + " nanoseconds");
        count++;
      }
    } finally {
      handle.close();
    }
    assertEquals(count, ours.size(), file + ": frame count");
    comparedFrames.addAndGet(count);
    return count;
  }

  /**
   * libpcap hands out DLT numbers, not the file's LINKTYPE numbers: for the link types here
   * they differ only for raw IP, where LINKTYPE_RAW (101) becomes DLT_RAW (12 on Linux).
   */
  private static int asLibpcapDlt(int linkType) {
    return linkType == LinkType.RAW ? LinkType.RAW_DLT12 : linkType;
  }

  /** libpcap refuses a pcapng file whose interfaces differ in link type; this reader does not. */
  private static boolean libpcapCanRead(Path file) throws IOException {
    java.util.Set<Integer> linkTypes = new java.util.HashSet<>();
    for (ReadFrame frame : CaptureFiles.readAll(file)) {
      linkTypes.add(frame.linkType());
    }
    return linkTypes.size() <= 1;
  }

  private static byte[][] packetData() {
    Random random = new Random(11);
    byte[][] packets = new byte[SIZES.length][];
    for (int i = 0; i < SIZES.length; i++) {
      packets[i] = new byte[SIZES[i]];
      random.nextBytes(packets[i]);
    }
    return packets;
  }

  private Path writePcap(String name, boolean nanosecond, ByteOrder order) throws IOException {
    Path file = dir.resolve(name);
    byte[][] packets = packetData();
    try (OutputStream out = Files.newOutputStream(file);
        PcapWriter writer = new PcapWriter(out, 1, nanosecond, order, 262144)) {
      for (int i = 0; i < TIMES.length; i++) {
        byte[] data = packets[i];
        writer.write(TIMES[i], data, 0, data.length, data.length + (i % 2) * 20);
      }
    }
    return file;
  }

  /** Two interfaces, microseconds and nanoseconds; libpcap wants one link type per file. */
  private Path writePcapNg(String name, ByteOrder order) throws IOException {
    Path file = dir.resolve(name);
    byte[][] packets = packetData();
    try (OutputStream out = Files.newOutputStream(file);
        PcapNgWriter writer = new PcapNgWriter(out, order)) {
      int micro = writer.addInterface(1, 262144, 6);
      int nano = writer.addInterface(1, 262144, 9);
      for (int i = 0; i < TIMES.length; i++) {
        byte[] data = packets[i];
        writer.write(i % 2 == 0 ? micro : nano, TIMES[i], data, 0, data.length, data.length + i);
      }
    }
    return file;
  }

  private Path writeWithLibpcap(String name, TimestampPrecision precision) throws Exception {
    Path file = dir.resolve(name);
    byte[][] packets = packetData();
    PcapHandle dead = Pcaps.openDead(DataLinkType.EN10MB, 65536, precision);
    try {
      PcapDumper dumper = dead.dumpOpen(file.toString());
      try {
        for (int i = 0; i < TIMES.length; i++) {
          Timestamp time = new Timestamp(Math.floorDiv(TIMES[i], 1_000_000_000L) * 1000);
          time.setNanos((int) Math.floorMod(TIMES[i], 1_000_000_000L));
          dumper.dumpRaw(packets[i], time);
        }
      } finally {
        dumper.close();
      }
    } finally {
      dead.close();
    }
    return file;
  }

  /** Timestamps in units of 2^-10 s, 10 s added by if_tsoffset. */
  private Path writeBinaryResolutionPcapNg(String name) throws IOException {
    byte[] file = hex(
        "0a0d0d0a 1c000000 4d3c2b1a 0100 0000 ffffffff ffffffff 1c000000", // SHB
        "01000000 2c000000 0100 0000 00000400", // IDB: EN10MB, snaplen 262144
        "0900 0100 8a000000", // if_tsresol: 2^-10 s
        "0e00 0800 0a00000000000000", // if_tsoffset: 10 s
        "0000 0000 2c000000",
        "06000000 24000000 00000000", // EPB, interface 0
        "95010000 0102c44f", // 1,700,000,000 * 1024 + 513 units
        "03000000 05000000 aabbcc00 24000000",
        "06000000 24000000 00000000",
        "00000000 ff030000", // 1023 units: 0.999 s
        "01000000 01000000 dd000000 24000000");
    return CaptureFiles.write(dir, name, file);
  }

  private static Path resource(String name) throws URISyntaxException {
    URL url = LibpcapDifferentialTest.class.getResource(name);
    if (url == null) {
      throw new AssertionError("missing test resource " + name);
    }
    return Path.of(url.toURI());
  }

  /** The captures in pcaps/ (relative to the project, where Maven runs tests) and more. */
  private static List<Path> repositoryCaptures() throws IOException {
    List<Path> files = new ArrayList<>();
    addCaptures(Path.of("pcaps"), files);
    String extra = System.getProperty("udpknock.pcaps");
    if (extra != null && !extra.isBlank()) {
      addCaptures(Path.of(extra), files);
    }
    return files;
  }

  private static void addCaptures(Path directory, List<Path> files) throws IOException {
    if (!Files.isDirectory(directory)) {
      return;
    }
    try (Stream<Path> entries = Files.list(directory)) {
      entries.filter(p -> p.toString().endsWith(".pcap") || p.toString().endsWith(".pcapng"))
          .sorted()
          .forEach(files::add);
    }
  }

  private static void requireLibpcap() {
    try {
      Pcaps.libVersion();
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      fail("This test compares with libpcap, which did not load (on Debian: apt-get install"
          + " libpcap0.8): " + e);
    }
  }
}
