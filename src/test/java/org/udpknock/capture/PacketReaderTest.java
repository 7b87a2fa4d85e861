package org.udpknock.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapHandle.TimestampPrecision;
import org.pcap4j.core.Pcaps;

/**
 * The capture's reader, on files libpcap reads with the same {@code pcap_next_ex} as a live
 * handle (needs libpcap, no privilege): records libpcap hands over but no packet can have are
 * refused and the next one is read; timestamps come out in nanoseconds whatever the handle's
 * precision; the frame delivered last stays intact through the next read.
 */
class PacketReaderTest {
  private static final int MICRO_MAGIC = 0xa1b2c3d4;
  private static final int NANO_MAGIC = 0xa1b23c4d;
  private static final long SECONDS = 1_795_000_000L;

  @TempDir Path dir;

  /** What a reader handed over, in order. */
  private static final class Collected implements PacketReader.Receiver {
    final List<Long> times = new ArrayList<>();
    final List<byte[]> frames = new ArrayList<>();
    final List<String> refused = new ArrayList<>();

    @Override
    public void frame(long timeNanos, byte[] data, int length) {
      times.add(timeNanos);
      frames.add(Arrays.copyOf(data, length));
    }

    @Override
    public void refused(RuntimeException why) {
      refused.add(why.getMessage());
    }
  }

  @Test
  void recordsWithoutBytesOrWithAnOutOfRangeFractionAreRefusedAndTheNextOneIsRead() throws Exception {
    Path file = write(MICRO_MAGIC, record(SECONDS, 1, frame(1)), record(SECONDS, 2, new byte[0]),
        record(SECONDS, 1_000_000, frame(3)), record(SECONDS, 4, frame(4)));
    Collected collected = readAll(file, TimestampPrecision.MICRO);
    assertEquals(2, collected.refused.size(), collected.refused.toString());
    assertTrue(collected.refused.get(0).contains("0 bytes captured"), collected.refused.toString());
    assertTrue(collected.refused.get(1).contains("sub-second field 1000000"), collected.refused.toString());
    assertEquals(List.of(SECONDS * 1_000_000_000L + 1_000, SECONDS * 1_000_000_000L + 4_000), collected.times);
    assertArrayEquals(frame(1), collected.frames.get(0));
    assertArrayEquals(frame(4), collected.frames.get(1));
  }

  @Test
  void aNanosecondHandleKeepsNanosecondsAndAMicrosecondOneScalesThem() throws Exception {
    Path nanoFile = write(NANO_MAGIC, record(SECONDS, 123_456_789, frame(1)),
        record(SECONDS, 1_000_000_000, frame(2)));
    Collected nano = readAll(nanoFile, TimestampPrecision.NANO);
    assertEquals(List.of(SECONDS * 1_000_000_000L + 123_456_789), nano.times, "nanoseconds as stamped");
    assertEquals(1, nano.refused.size(), "a nanosecond field of a whole second is out of range");

    Collected micro = readAll(nanoFile, TimestampPrecision.MICRO);
    assertEquals(SECONDS * 1_000_000_000L + 123_456_000, micro.times.get(0), "libpcap gives microseconds");

    Path microFile = write(MICRO_MAGIC, record(SECONDS, 654_321, frame(1)));
    assertEquals(List.of(SECONDS * 1_000_000_000L + 654_321_000), readAll(microFile, TimestampPrecision.NANO).times);
    assertEquals(List.of(SECONDS * 1_000_000_000L + 654_321_000), readAll(microFile, TimestampPrecision.MICRO).times);
  }

  /** The handle switch compares the new handle's frames with the old one's last: it must survive the next read. */
  @Test
  void theFrameDeliveredLastStaysIntactThroughTheNextRead() throws Exception {
    Path file = write(MICRO_MAGIC, record(SECONDS, 1, frame(1)), record(SECONDS, 2, frame(2)),
        record(SECONDS, 3, frame(3)));
    PcapHandle handle = Pcaps.openOffline(file.toString(), TimestampPrecision.MICRO);
    try {
      PacketReader reader = new PacketReader(handle, 256);
      byte[][] last = new byte[1][];
      PacketReader.Receiver keepingReference = new PacketReader.Receiver() {
        @Override
        public void frame(long timeNanos, byte[] data, int length) {
          if (last[0] != null) {
            assertArrayEquals(PacketReaderTest.frame(data[0] - 1), Arrays.copyOf(last[0], length), "the frame before, after this read");
          }
          last[0] = data;
        }

        @Override
        public void refused(RuntimeException why) {
          throw why;
        }
      };
      for (int read = 0; read < 3; read++) {
        assertEquals(PacketReader.PACKET, reader.next(keepingReference));
      }
      assertEquals(PacketReader.BROKEN, reader.next(keepingReference), "the file's end");
    } finally {
      handle.close();
    }
  }

  private static Collected readAll(Path file, TimestampPrecision precision) throws Exception {
    PcapHandle handle = Pcaps.openOffline(file.toString(), precision);
    try {
      PacketReader reader = new PacketReader(handle, 256);
      Collected collected = new Collected();
      for (int read = 0; read < 100 && reader.next(collected) == PacketReader.PACKET; read++) {
        // One record a read.
      }
      return collected;
    } finally {
      handle.close();
    }
  }

  /** A 60-byte frame whose first byte is {@code mark} and whose other bytes follow from it. */
  private static byte[] frame(int mark) {
    byte[] frame = new byte[60];
    for (int i = 0; i < frame.length; i++) {
      frame[i] = (byte) (mark + i * 7);
    }
    frame[0] = (byte) mark;
    return frame;
  }

  /** A record as the file holds it: seconds, the sub-second field as given (even out of range), the bytes. */
  private static byte[] record(long seconds, int fraction, byte[] data) {
    ByteBuffer record = ByteBuffer.allocate(16 + data.length).order(ByteOrder.LITTLE_ENDIAN);
    record.putInt((int) seconds).putInt(fraction).putInt(data.length).putInt(Math.max(data.length, 60)).put(data);
    return record.array();
  }

  private Path write(int magic, byte[]... records) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(256).putInt(1);
    Path file = Files.createTempFile(dir, "records", ".pcap");
    try (var out = Files.newOutputStream(file)) {
      out.write(header.array());
      for (byte[] record : records) {
        out.write(record);
      }
    }
    return file;
  }
}
