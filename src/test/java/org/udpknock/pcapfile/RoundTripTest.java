package org.udpknock.pcapfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.udpknock.pcapfile.CaptureFiles.readAll;
import static org.udpknock.pcapfile.CaptureFiles.readAllSmallBuffer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.udpknock.pcapfile.CaptureFiles.ReadFrame;

/** Files written by the writers read back exactly. */
class RoundTripTest {
  /** A packet to write: data[0..caplen) of an original length. */
  record Packet(long timeNanos, byte[] data, int originalLength) {}

  private static final long LAST_PCAP_NANOS = 0xFFFF_FFFFL * 1_000_000_000L + 999_999_999L;

  /** Sizes 0, 1, an odd one, a typical knock, the Ethernet maximum and one above 64 KiB. */
  static List<Packet> packets(long... times) {
    Random random = new Random(7);
    int[] sizes = {0, 1, 3, 74, 1514, 65535, 70_001};
    List<Packet> packets = new ArrayList<>();
    for (int i = 0; i < times.length; i++) {
      byte[] data = new byte[sizes[i % sizes.length]];
      random.nextBytes(data);
      int originalLength = i % 3 == 0 ? data.length + 100 : data.length; // some cut by a snaplen
      packets.add(new Packet(times[i], data, originalLength));
    }
    return packets;
  }

  private static final long[] PCAP_TIMES = {
      0, 1, 999, 1_000, 1_700_000_000_000_000_001L, 1_700_000_000_123_456_789L,
      1_700_000_000_999_999_999L, LAST_PCAP_NANOS, 42};

  private static final long[] PCAPNG_TIMES = {
      0, 1, 999, 1_700_000_000_000_000_001L, 1_700_000_000_123_456_789L,
      Long.MAX_VALUE, Long.MAX_VALUE - 1, 5_000_000_000L, 7};

  static Stream<Arguments> pcapVariants() {
    return Stream.of(
        Arguments.of(false, ByteOrder.LITTLE_ENDIAN), Arguments.of(false, ByteOrder.BIG_ENDIAN),
        Arguments.of(true, ByteOrder.LITTLE_ENDIAN), Arguments.of(true, ByteOrder.BIG_ENDIAN));
  }

  @ParameterizedTest(name = "nanosecond={0}, {1}")
  @MethodSource("pcapVariants")
  void pcapWriterRoundTrip(boolean nanosecond, ByteOrder order) throws IOException {
    List<Packet> packets = packets(PCAP_TIMES);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PcapWriter writer = new PcapWriter(bytes, 113, nanosecond, order, 262144)) {
      for (Packet p : packets) {
        writer.write(p.timeNanos, p.data, 0, p.data.length, p.originalLength);
      }
    }
    List<ReadFrame> expected = new ArrayList<>();
    for (Packet p : packets) {
      long time = nanosecond ? p.timeNanos : p.timeNanos - p.timeNanos % 1000;
      expected.add(new ReadFrame(time, nanosecond ? 9 : 6, 113, p.data, p.originalLength));
    }
    assertEquals(expected, readAll(bytes.toByteArray()));
    assertEquals(expected, readAllSmallBuffer(bytes.toByteArray()));
  }

  static Stream<Arguments> pcapNgVariants() {
    return Stream.of(
        Arguments.of(ByteOrder.LITTLE_ENDIAN, 6, 9), Arguments.of(ByteOrder.BIG_ENDIAN, 6, 9),
        Arguments.of(ByteOrder.LITTLE_ENDIAN, 9, 6), Arguments.of(ByteOrder.BIG_ENDIAN, 3, 0));
  }

  @ParameterizedTest(name = "{0}, interface digits {1} and {2}")
  @MethodSource("pcapNgVariants")
  void pcapNgWriterRoundTripWithTwoInterfaces(ByteOrder order, int digits0, int digits1)
      throws IOException {
    List<Packet> packets = packets(PCAPNG_TIMES);
    int[] linkTypes = {1, 276};
    int[] digits = {digits0, digits1};
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    List<ReadFrame> expected = new ArrayList<>();
    try (PcapNgWriter writer = new PcapNgWriter(bytes, order)) {
      assertEquals(0, writer.addInterface(linkTypes[0], 65535, digits[0]));
      assertEquals(1, writer.addInterface(linkTypes[1], 0, digits[1]));
      for (int i = 0; i < packets.size(); i++) {
        Packet p = packets.get(i);
        int id = i % 2;
        writer.write(id, p.timeNanos, p.data, 0, p.data.length, p.originalLength);
        long unit = pow10(9 - digits[id]);
        expected.add(new ReadFrame(p.timeNanos / unit * unit, digits[id], linkTypes[id], p.data,
            p.originalLength));
      }
    }
    assertEquals(expected, readAll(bytes.toByteArray()));
    assertEquals(expected, readAllSmallBuffer(bytes.toByteArray()));
  }

  @Test
  void writersWriteAtAnOffsetInTheArray() throws IOException {
    byte[] data = {9, 9, 1, 2, 3, 9};
    ByteArrayOutputStream pcap = new ByteArrayOutputStream();
    try (PcapWriter writer = new PcapWriter(pcap, 1, true, ByteOrder.LITTLE_ENDIAN, 65535)) {
      writer.write(5, data, 2, 3, 3);
    }
    ByteArrayOutputStream pcapng = new ByteArrayOutputStream();
    try (PcapNgWriter writer = new PcapNgWriter(pcapng, ByteOrder.LITTLE_ENDIAN)) {
      writer.write(writer.addInterface(1, 0, 9), 5, data, 2, 3, 3);
    }
    ReadFrame expected = new ReadFrame(5, 9, 1, new byte[] {1, 2, 3}, 3);
    assertEquals(List.of(expected), readAll(pcap.toByteArray()));
    assertEquals(List.of(expected), readAll(pcapng.toByteArray()));
  }

  @Test
  void writersRefuseWhatTheFormatCannotHold() throws IOException {
    PcapWriter pcap = new PcapWriter(new ByteArrayOutputStream(), 1, false,
        ByteOrder.BIG_ENDIAN, 65535);
    byte[] data = new byte[4];
    assertThrows(IllegalArgumentException.class, () -> pcap.write(-1, data, 0, 4, 4));
    assertThrows(IllegalArgumentException.class,
        () -> pcap.write(LAST_PCAP_NANOS + 1, data, 0, 4, 4));
    assertThrows(IndexOutOfBoundsException.class, () -> pcap.write(0, data, 1, 4, 4));
    pcap.close();
    assertThrows(IOException.class, () -> pcap.write(0, data, 0, 4, 4));

    PcapNgWriter pcapng = new PcapNgWriter(new ByteArrayOutputStream(), ByteOrder.BIG_ENDIAN);
    assertThrows(IndexOutOfBoundsException.class, () -> pcapng.write(0, 0, data, 0, 4, 4));
    assertThrows(IllegalArgumentException.class, () -> pcapng.addInterface(1, 0, 10));
    assertThrows(IllegalArgumentException.class, () -> pcapng.addInterface(70000, 0, 6));
    int id = pcapng.addInterface(1, 0, 6);
    assertThrows(IllegalArgumentException.class, () -> pcapng.write(id, -1, data, 0, 4, 4));
  }

  @Test
  void manyRecordsAcrossBufferBoundaries() throws IOException {
    // 5,000 records of varying size through a 64-byte buffer and the default one.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] data = new byte[300];
    Arrays.fill(data, (byte) 0x5a);
    try (PcapWriter writer = new PcapWriter(bytes, 1, true, ByteOrder.BIG_ENDIAN, 65535)) {
      for (int i = 0; i < 5000; i++) {
        data[0] = (byte) i;
        writer.write(i, data, 0, i % 300, 300);
      }
    }
    for (List<ReadFrame> frames :
        List.of(readAll(bytes.toByteArray()), readAllSmallBuffer(bytes.toByteArray()))) {
      assertEquals(5000, frames.size());
      for (int i = 0; i < 5000; i++) {
        assertEquals(i, frames.get(i).timeNanos());
        assertEquals(i % 300, frames.get(i).capturedLength());
        if (i % 300 > 0) {
          assertEquals((byte) i, frames.get(i).data()[0]);
        }
      }
    }
  }

  private static long pow10(int exponent) {
    long value = 1;
    for (int i = 0; i < exponent; i++) {
      value *= 10;
    }
    return value;
  }
}
