package org.udpknock.pcapfile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Bytes reads and writes what java.nio.ByteBuffer does, in both byte orders, at any offset. */
class BytesTest {
  @Test
  void readsAndWritesAsByteBufferDoes() {
    SplittableRandom random = new SplittableRandom(11);
    for (int round = 0; round < 10_000; round++) {
      byte[] bytes = new byte[16];
      random.nextBytes(bytes);
      int at = random.nextInt(8);
      for (boolean bigEndian : new boolean[] {true, false}) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        assertEquals(buffer.getShort(at) & 0xFFFF, Bytes.uint16(bytes, at, bigEndian));
        assertEquals(buffer.getInt(at), Bytes.int32(bytes, at, bigEndian));
        assertEquals(buffer.getInt(at) & 0xFFFF_FFFFL, Bytes.uint32(bytes, at, bigEndian));
        assertEquals(buffer.getLong(at), Bytes.int64(bytes, at, bigEndian));
        long value = random.nextLong();
        byte[] written = new byte[16];
        byte[] expected = new byte[16];
        ByteBuffer want = ByteBuffer.wrap(expected).order(buffer.order());
        Bytes.putInt16(written, at, (int) value, bigEndian);
        want.putShort(at, (short) value);
        Bytes.putInt32(written, at + 2, (int) value, bigEndian);
        want.putInt(at + 2, (int) value);
        assertArrayEquals(expected, written);
        Bytes.putInt64(written, at, value, bigEndian);
        want.putLong(at, value);
        assertArrayEquals(expected, written);
      }
    }
  }
}
