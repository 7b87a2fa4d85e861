package org.udpknock.pcapfile;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads and writes fixed-size integers in a {@code byte[]} in either byte order. Capture files
 * are written in the byte order of the host that wrote them, so every access takes the order.
 * The VarHandles are constants, so the JIT compiles each access to a plain (swapped) load.
 */
final class Bytes {
  private Bytes() {}

  private static final VarHandle SHORT_BE = view(short[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle SHORT_LE = view(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT_BE = view(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT_LE = view(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_BE = view(long[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG_LE = view(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static VarHandle view(Class<?> arrayType, ByteOrder order) {
    return MethodHandles.byteArrayViewVarHandle(arrayType, order);
  }

  static int uint16(byte[] b, int i, boolean bigEndian) {
    short value = bigEndian ? (short) SHORT_BE.get(b, i) : (short) SHORT_LE.get(b, i);
    return value & 0xFFFF;
  }

  static int int32(byte[] b, int i, boolean bigEndian) {
    return bigEndian ? (int) INT_BE.get(b, i) : (int) INT_LE.get(b, i);
  }

  static long uint32(byte[] b, int i, boolean bigEndian) {
    return int32(b, i, bigEndian) & 0xFFFF_FFFFL;
  }

  static long int64(byte[] b, int i, boolean bigEndian) {
    return bigEndian ? (long) LONG_BE.get(b, i) : (long) LONG_LE.get(b, i);
  }

  static void putInt16(byte[] b, int i, int value, boolean bigEndian) {
    if (bigEndian) {
      SHORT_BE.set(b, i, (short) value);
    } else {
      SHORT_LE.set(b, i, (short) value);
    }
  }

  static void putInt32(byte[] b, int i, int value, boolean bigEndian) {
    if (bigEndian) {
      INT_BE.set(b, i, value);
    } else {
      INT_LE.set(b, i, value);
    }
  }

  static void putInt64(byte[] b, int i, long value, boolean bigEndian) {
    if (bigEndian) {
      LONG_BE.set(b, i, value);
    } else {
      LONG_LE.set(b, i, value);
    }
  }

  /** An unsigned 32-bit length as an int; lengths of 2 GiB and more become Integer.MAX_VALUE. */
  static int clampToInt(long unsignedLength) {
    return (int) Math.min(unsignedLength, Integer.MAX_VALUE);
  }
}
