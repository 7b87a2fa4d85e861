package org.udpknock.pcapfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.udpknock.pcapfile.CaptureFiles.hex;
import static org.udpknock.pcapfile.CaptureFiles.readAll;
import static org.udpknock.pcapfile.CaptureFiles.readAllSmallBuffer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.pcapfile.CaptureFiles.ReadFrame;

/** Classic pcap files written byte by byte, each with one oddity. */
class PcapFixtureTest {
  /** Little-endian, microseconds, version 2.4, snaplen 65535, EN10MB. */
  private static final String HEADER_LE_MICROS =
      "d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000";

  @Test
  void microsecondFieldOfAMillionOrMoreIsCarriedIntoTheSeconds() throws IOException {
    // pcap4j throws IllegalArgumentException on such a record (its #137); libpcap passes it on.
    byte[] file = hex(HEADER_LE_MICROS,
        "00f15365 41420f00 02000000 3c000000", // 1,700,000,000 s + 1,000,001 µs; caplen 2, len 60
        "abcd");
    List<ReadFrame> frames = readAll(file);
    assertEquals(1, frames.size());
    assertEquals(1_700_000_001_000_001_000L, frames.get(0).timeNanos());
    assertEquals(6, frames.get(0).timeDigits());
    assertArrayEquals(hex("abcd"), frames.get(0).data());
    assertEquals(60, frames.get(0).originalLength());
  }

  @Test
  void nanosecondFieldOfABillionOrMoreIsCarriedIntoTheSeconds() throws IOException {
    byte[] file = hex(
        "a1b23c4d 0002 0004 00000000 00000000 0000ffff 00000065", // big-endian ns, RAW (101)
        "6553f100 3b9aca01 00000000 00000000"); // 1,700,000,000 s + 1,000,000,001 ns; caplen 0
    List<ReadFrame> frames = readAll(file);
    assertEquals(1_700_000_001_000_000_001L, frames.get(0).timeNanos());
    assertEquals(9, frames.get(0).timeDigits());
    assertEquals(101, frames.get(0).linkType());
  }

  @Test
  void recordWithCaplenZeroIsAnEmptyFrame() throws IOException {
    // pcap4j throws "arr is empty." here; the decoder counts such a frame as truncated.
    byte[] file = hex(HEADER_LE_MICROS,
        "01000000 00000000 00000000 2a000000", // 1 s; caplen 0, len 42
        "02000000 00000000 01000000 01000000", // 2 s; caplen 1, len 1
        "ff");
    List<ReadFrame> frames = readAll(file);
    assertEquals(2, frames.size());
    assertEquals(0, frames.get(0).capturedLength());
    assertEquals(42, frames.get(0).originalLength());
    assertEquals(2_000_000_000L, frames.get(1).timeNanos());
    assertArrayEquals(hex("ff"), frames.get(1).data());
  }

  @Test
  void lastRecordCutShortIsReturnedWithTheBytesPresent() throws IOException {
    byte[] file = hex(HEADER_LE_MICROS,
        "01000000 00000000 02000000 02000000", "0102", // a whole record
        "02000000 00000000 08000000 08000000", "aabbcc"); // caplen 8, but 3 bytes before the end
    for (List<ReadFrame> frames : List.of(readAll(file), readAllSmallBuffer(file))) {
      assertEquals(2, frames.size());
      assertArrayEquals(hex("aabbcc"), frames.get(1).data());
      assertEquals(8, frames.get(1).originalLength());
    }
  }

  @Test
  void recordsInPlaceAndCopiedAlternateWithoutTouchingEachOther() throws IOException {
    // Through a 64-byte buffer: the 2-byte records are read in place in the buffer, the 80-byte
    // one cannot be and is copied into the frame's own array, which must not be the buffer.
    String large = "5a".repeat(80);
    byte[] file = hex(HEADER_LE_MICROS,
        "01000000 00000000 02000000 02000000", "0102",
        "02000000 00000000 50000000 50000000", large,
        "03000000 00000000 02000000 02000000", "0304");
    Frame frame = new Frame();
    List<byte[]> seen = new java.util.ArrayList<>();
    List<Boolean> inOwnArray = new java.util.ArrayList<>();
    byte[] own = frame.data;
    try (CaptureFileReader reader = CaptureFileReader.open(new java.io.ByteArrayInputStream(file), "t.pcap", 64)) {
      while (reader.next(frame)) {
        seen.add(frame.bytes());
        inOwnArray.add(frame.data == own && frame.offset == 0);
      }
    }
    assertEquals(3, seen.size());
    assertArrayEquals(hex("0102"), seen.get(0));
    assertArrayEquals(hex(large), seen.get(1));
    assertArrayEquals(hex("0304"), seen.get(2));
    assertEquals(List.of(false, true, false), inOwnArray);
  }

  @Test
  void recordHeaderCutShortEndsTheFile() throws IOException {
    byte[] file = hex(HEADER_LE_MICROS,
        "01000000 00000000 02000000 02000000", "0102",
        "02000000 000000"); // 7 of the 16 bytes of a record header
    assertEquals(1, readAll(file).size());
  }

  @Test
  void headerOnlyFileHasNoFrames() throws IOException {
    assertEquals(List.of(), readAll(hex(HEADER_LE_MICROS)));
  }

  @Test
  void globalHeaderCutShortIsNotACaptureFile() {
    byte[] file = hex("d4c3b2a1 0200 0400 00000000 0000"); // 14 of 24 bytes
    CaptureFileException e = assertThrows(CaptureFileException.class, () -> readAll(file));
    assertEquals(
        "test.pcap is not a complete pcap capture file (its 24-byte header ends after 14 bytes).",
        e.getMessage());
  }

  @Test
  void unknownMagicIsNotACaptureFile() {
    byte[] file = hex("7f454c46 02010100 00000000 00000000 00000000 00000000"); // an ELF binary
    CaptureFileException e = assertThrows(CaptureFileException.class, () -> readAll(file));
    assertEquals(
        "test.pcap is not a pcap or pcapng capture file (unknown magic 0x7f454c46).",
        e.getMessage());
  }

  @Test
  void emptyAndTinyFilesAreNotCaptureFiles(@TempDir Path dir) throws IOException {
    Path empty = CaptureFiles.write(dir, "empty.pcap", new byte[0]);
    CaptureFileException e =
        assertThrows(CaptureFileException.class, () -> CaptureFileReader.open(empty));
    assertEquals(empty + " is not a pcap or pcapng capture file (it is empty).", e.getMessage());

    e = assertThrows(CaptureFileException.class, () -> readAll(hex("d4c3")));
    assertEquals("test.pcap is not a pcap or pcapng capture file (it has only 2 bytes).",
        e.getMessage());
  }

  @Test
  void capturedLengthAboveSixteenMebibytesIsDamage() throws IOException {
    byte[] file = hex(HEADER_LE_MICROS,
        "01000000 00000000 01000000 01000000", "ee", // record 1 at offset 24, 17 bytes
        "02000000 00000000 01000001 01000001"); // record 2 at offset 41: caplen 0x01000001
    CaptureFileException e = assertThrows(CaptureFileException.class, () -> readAll(file));
    assertEquals("test.pcap is damaged at record 2 (byte offset 41): its captured length 16777217"
        + " exceeds the limit of 16777216 bytes.", e.getMessage());
  }

  @Test
  void linkTypeIgnoresTheFcsBitsAboveTheLowSixteen() throws IOException {
    byte[] file = hex(
        "d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000010", // EN10MB with FCS bits 0x1000
        "01000000 00000000 00000000 00000000");
    assertEquals(1, readAll(file).get(0).linkType());
  }

  @Test
  void originalLengthAboveIntRangeIsClamped() throws IOException {
    byte[] file = hex(HEADER_LE_MICROS, "01000000 00000000 00000000 ffffffff"); // len 2^32-1
    assertEquals(Integer.MAX_VALUE, readAll(file).get(0).originalLength());
  }

  @Test
  void readsFromAPathAndGrowsTheFrameForALargeRecord(@TempDir Path dir) throws IOException {
    byte[] header = hex(HEADER_LE_MICROS, "05000000 07000000 a0860100 a0860100"); // 100,000 bytes
    byte[] file = new byte[header.length + 100_000];
    System.arraycopy(header, 0, file, 0, header.length);
    file[file.length - 1] = 0x7f;
    List<ReadFrame> frames = readAll(CaptureFiles.write(dir, "big.pcap", file));
    assertEquals(1, frames.size());
    assertEquals(5_000_007_000L, frames.get(0).timeNanos());
    assertEquals(100_000, frames.get(0).capturedLength());
    assertEquals(0x7f, frames.get(0).data()[99_999]);
  }
}
