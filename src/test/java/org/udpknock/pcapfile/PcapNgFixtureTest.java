package org.udpknock.pcapfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.udpknock.pcapfile.CaptureFiles.hex;
import static org.udpknock.pcapfile.CaptureFiles.readAll;
import static org.udpknock.pcapfile.CaptureFiles.readAllSmallBuffer;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.udpknock.pcapfile.CaptureFiles.ReadFrame;

/** pcapng files written byte by byte (little-endian unless said), each with one feature. */
class PcapNgFixtureTest {
  /** Section Header Block, 28 bytes. */
  private static final String SHB_LE = String.join(" ",
      "0a0d0d0a 1c000000", // SHB, total length 28
      "4d3c2b1a 0100 0000", // byte-order magic (little-endian), version 1.0
      "ffffffff ffffffff", // section length: unknown
      "1c000000");
  /** Interface 0: EN10MB, snaplen 262144, 2^-10 s units, 10 s offset; 44 bytes. */
  private static final String IDB_BINARY_RESOLUTION = String.join(" ",
      "01000000 2c000000", // IDB, total length 44
      "0100 0000 00000400", // link type 1 (EN10MB), reserved, snaplen 262144
      "0900 0100 8a000000", // if_tsresol = 0x8a: MSB set, units of 2^-10 s
      "0e00 0800 0a00000000000000", // if_tsoffset = 10 s
      "0000 0000", // opt_endofopt
      "2c000000");
  /** Interface 1: RAW (101), no snaplen, 10^-9 s units; 32 bytes. */
  private static final String IDB_NANOSECONDS = String.join(" ",
      "01000000 20000000", // IDB, total length 32
      "6500 0000 00000000", // link type 101 (RAW), reserved, snaplen 0 (none)
      "0900 0100 09000000", // if_tsresol = 9: units of 10^-9 s
      "0000 0000",
      "20000000");

  @Test
  void binaryAndDecimalResolutionsAndTimestampOffset() throws IOException {
    byte[] file = hex(SHB_LE, IDB_BINARY_RESOLUTION, IDB_NANOSECONDS,
        "06000000 24000000", // EPB, 36 bytes
        "00000000", // interface 0
        "95010000 0102c44f", // 0x195_4fc40201 units = 1,700,000,000 * 1024 + 513
        "03000000 05000000", // caplen 3, original length 5
        "aabbcc00", // data, padded to 4
        "24000000",
        "06000000 20000000", // EPB, 32 bytes
        "01000000", // interface 1
        "fe9c9717 15cd853d", // 0x17979cfe_3d85cd15 = 1,700,000,000,123,456,789 ns
        "00000000 00000000", // caplen 0, original length 0
        "20000000");
    List<ReadFrame> frames = readAll(file);
    assertEquals(2, frames.size());
    // (1,700,000,000 + 10) s + floor(513 / 1024 s = 500,976,562.5 ns)
    assertEquals(1_700_000_010_500_976_562L, frames.get(0).timeNanos());
    assertEquals(4, frames.get(0).timeDigits()); // 2^-10 s needs 4 digits to tell units apart
    assertEquals(1, frames.get(0).linkType());
    assertArrayEquals(hex("aabbcc"), frames.get(0).data());
    assertEquals(5, frames.get(0).originalLength());
    assertEquals(1_700_000_000_123_456_789L, frames.get(1).timeNanos());
    assertEquals(9, frames.get(1).timeDigits());
    assertEquals(101, frames.get(1).linkType());
    assertEquals(0, frames.get(1).capturedLength());
    assertEquals(frames, readAllSmallBuffer(file));
  }

  @Test
  void bigEndianSectionWithDefaultMicroseconds() throws IOException {
    byte[] file = hex(
        "0a0d0d0a 0000001c 1a2b3c4d 0001 0000 ffffffff ffffffff 0000001c", // SHB, big-endian
        "00000001 00000014 0071 0000 00000100 00000014", // IDB: LINUX_SLL (113), snaplen 256
        "00000006 00000024", // EPB, 36 bytes
        "00000000 00000000 00000001", // interface 0; 1 µs
        "00000004 00000040", // caplen 4, original length 64
        "01020304",
        "00000024");
    List<ReadFrame> frames = readAll(file);
    assertEquals(List.of(1_000L), frames.stream().map(ReadFrame::timeNanos).toList());
    assertEquals(113, frames.get(0).linkType());
    assertEquals(6, frames.get(0).timeDigits());
    assertArrayEquals(hex("01020304"), frames.get(0).data());
    assertEquals(64, frames.get(0).originalLength());
  }

  @Test
  void simplePacketBlockTakesThePreviousTimeAndTheSmallestLength() throws IOException {
    byte[] file = hex(SHB_LE,
        "01000000 14000000 0100 0000 03000000 14000000", // IDB: EN10MB, snaplen 3
        "03000000 14000000", // SPB, 20 bytes
        "02000000", // original length 2: less than the block's 4 bytes of room
        "aabb0000", "14000000",
        "06000000 20000000 00000000 00000000 07000000 00000000 00000000 20000000", // EPB at 7 µs
        "03000000 18000000", // SPB, 24 bytes
        "40000000", // original length 64: cut to the snaplen, 3
        "01020304 05060708", "18000000",
        "03000000 14000000", // SPB, 20 bytes
        "01000000", "cc000000", "14000000"); // original length 1
    List<ReadFrame> frames = readAll(file);
    assertEquals(4, frames.size());
    assertEquals(0, frames.get(0).timeNanos()); // no packet before it
    assertArrayEquals(hex("aabb"), frames.get(0).data());
    assertEquals(1, frames.get(0).linkType());
    assertEquals(7_000, frames.get(2).timeNanos()); // the EPB's time
    assertArrayEquals(hex("010203"), frames.get(2).data());
    assertEquals(64, frames.get(2).originalLength());
    assertArrayEquals(hex("cc"), frames.get(3).data());
  }

  @Test
  void simplePacketBlockIsLimitedByItsBlockWhenTheOriginalIsLonger() throws IOException {
    byte[] file = hex(SHB_LE,
        "01000000 14000000 0100 0000 00000000 14000000", // IDB: EN10MB, no snaplen
        "03000000 14000000 e8030000 01020304 14000000"); // SPB: original length 1000, 4 bytes
    ReadFrame frame = readAll(file).get(0);
    assertArrayEquals(hex("01020304"), frame.data());
    assertEquals(1000, frame.originalLength());
  }

  @Test
  void unknownBlockTypesAreSkipped() throws IOException {
    byte[] file = hex(SHB_LE,
        "ad0b0000 14000000 01020304 05060708 14000000", // type 0xbad, 8 bytes of body
        "05000000 0c000000 0c000000", // an Interface Statistics Block with an empty body
        "01000000 14000000 0100 0000 00000000 14000000",
        "06000000 20000000 00000000 00000000 05000000 00000000 00000000 20000000");
    List<ReadFrame> frames = readAll(file);
    assertEquals(1, frames.size());
    assertEquals(5_000, frames.get(0).timeNanos());
  }

  @Test
  void obsoletePacketBlockIsRead() throws IOException {
    byte[] file = hex(SHB_LE, IDB_NANOSECONDS.replace("6500", "0100"), // interface 0: EN10MB, ns
        "02000000 24000000", // Packet Block (type 2), 36 bytes
        "0000 0300", // interface 0, 3 drops
        "00000000 2a000000", // 42 ns
        "02000000 02000000", // caplen 2, original length 2
        "abcd0000", "24000000");
    ReadFrame frame = readAll(file).get(0);
    assertEquals(42, frame.timeNanos());
    assertEquals(1, frame.linkType());
    assertArrayEquals(hex("abcd"), frame.data());
  }

  @Test
  void packetOfAnUndefinedInterfaceHasLinkTypeMinusOne() throws IOException {
    byte[] file = hex(SHB_LE, IDB_NANOSECONDS, // only interface 0 exists
        "06000000 20000000 07000000", // EPB on interface 7
        "00000000 03000000 00000000 00000000", // 3 units, read as the default microseconds
        "20000000");
    ReadFrame frame = readAll(file).get(0);
    assertEquals(Frame.UNKNOWN_LINK_TYPE, frame.linkType());
    assertEquals(3_000, frame.timeNanos());
    assertEquals(6, frame.timeDigits());
  }

  @Test
  void newSectionChangesTheByteOrderAndForgetsInterfaces() throws IOException {
    byte[] file = hex(SHB_LE, IDB_NANOSECONDS, IDB_NANOSECONDS,
        "0a0d0d0a 0000001c 1a2b3c4d 0001 0000 ffffffff ffffffff 0000001c", // SHB, big-endian
        "00000001 00000014 0001 0000 00000000 00000014", // IDB: interface 0, EN10MB, µs
        "00000006 00000020 00000000 00000000 00000002 00000000 00000000 00000020", // on 0
        "00000006 00000020 00000001 00000000 00000002 00000000 00000000 00000020"); // on 1
    List<ReadFrame> frames = readAll(file);
    assertEquals(2, frames.size());
    assertEquals(1, frames.get(0).linkType());
    assertEquals(2_000, frames.get(0).timeNanos());
    assertEquals(Frame.UNKNOWN_LINK_TYPE, frames.get(1).linkType()); // interface 1 is gone
  }

  @Test
  void blockLengthNotAMultipleOfFourIsDamage() {
    byte[] file = hex(SHB_LE, "ad0b0000 11000000 01020304 05060708 11000000"); // length 17
    CaptureFileException e = assertThrows(CaptureFileException.class, () -> readAll(file));
    assertEquals("test.pcap is damaged at block 2 (byte offset 28): its block length 17 is not a"
        + " multiple of 4 of at least 12 (block type 0x00000bad).", e.getMessage());
  }

  @Test
  void blockTooShortForItsFixedFieldsIsDamage() {
    byte[] file = hex(SHB_LE, "06000000 0c000000 0c000000"); // an EPB of 12 bytes: no fields
    assertThrows(CaptureFileException.class, () -> readAll(file));
  }

  @Test
  void trailingLengthThatDiffersIsDamage() {
    byte[] file = hex(SHB_LE, "ad0b0000 14000000 01020304 05060708 18000000"); // 20, then 24
    CaptureFileException e = assertThrows(CaptureFileException.class, () -> readAll(file));
    assertEquals("test.pcap is damaged at block 2 (byte offset 28): its trailing block length 24"
        + " differs from its leading length 20.", e.getMessage());
  }

  @Test
  void badByteOrderMagicIsDamage() {
    byte[] file = hex("0a0d0d0a 1c000000 4d3c2b1b 0100 0000 ffffffff ffffffff 1c000000");
    assertThrows(CaptureFileException.class, () -> readAll(file));
  }

  @Test
  void sectionHeaderCutShortIsNotACaptureFile() {
    byte[] file = hex("0a0d0d0a 1c000000 4d3c2b1a 0100"); // 14 of 28 bytes
    CaptureFileException e = assertThrows(CaptureFileException.class, () -> readAll(file));
    assertEquals("test.pcap is not a complete pcapng capture file (its section header block ends"
        + " after 14 bytes).", e.getMessage());
  }

  @Test
  void capturedLengthBeyondTheBlockIsTrimmedToTheBlock() throws IOException {
    byte[] file = hex(SHB_LE, IDB_NANOSECONDS,
        "06000000 24000000 00000000 00000000 01000000",
        "ffff0000 ffff0000", // caplen 65535, but only 4 bytes of room in the block
        "01020304", "24000000");
    assertArrayEquals(hex("01020304"), readAll(file).get(0).data());
  }

  @Test
  void lastPacketCutShortIsReturnedWithTheBytesPresent() throws IOException {
    byte[] file = hex(SHB_LE, IDB_NANOSECONDS,
        "06000000 28000000 00000000 00000000 01000000 08000000 08000000",
        "010203"); // 3 of 8 bytes of data, then the end
    for (List<ReadFrame> frames : List.of(readAll(file), readAllSmallBuffer(file))) {
      assertEquals(1, frames.size());
      assertArrayEquals(hex("010203"), frames.get(0).data());
      assertEquals(8, frames.get(0).originalLength());
    }
  }

  @Test
  void blockCutShortAnywhereElseEndsTheFile() throws IOException {
    assertEquals(List.of(), readAll(hex(SHB_LE, "01000000 14000000 0100"))); // in an IDB
    assertEquals(List.of(), readAll(hex(SHB_LE, "060000"))); // in a block header
    assertEquals(List.of(), readAll(hex(SHB_LE, IDB_NANOSECONDS, "06000000 20000000 00000000")));
  }

  @Test
  void timestampBeyondTheLongRangeIsClamped() throws IOException {
    byte[] file = hex(SHB_LE, IDB_NANOSECONDS,
        "06000000 20000000 00000000 ffffffff ffffffff 00000000 00000000 20000000"); // 2^64-1 ns
    assertEquals(Long.MAX_VALUE, readAll(file).get(0).timeNanos());
  }
}
