package org.udpknock.pcapfile;

/**
 * Reads and writes fixed-size integers in a {@code byte[]} in either byte order. Capture files
 * are written in the byte order of the host that wrote them, so every access takes the order.
 * Shifts and masks, not {@code MethodHandles.byteArrayViewVarHandle}: six view VarHandles cost
 * every replay milliseconds at start (the JDK spins their lambda forms at run time, which no
 * class-data archive keeps), for a capture's 16-byte record headers, which the reading thread,
 * not the bottleneck of a replay, decodes.
 */
final class Bytes {
  private Bytes() {}

  static int uint16(byte[] b, int i, boolean bigEndian) {
    int first = b[i] & 0xFF;
    int second = b[i + 1] & 0xFF;
    return bigEndian ? first << 8 | second : second << 8 | first;
  }

  static int int32(byte[] b, int i, boolean bigEndian) {
    int value = (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | b[i + 3] & 0xFF;
    return bigEndian ? value : Integer.reverseBytes(value);
  }

  static long uint32(byte[] b, int i, boolean bigEndian) {
    return int32(b, i, bigEndian) & 0xFFFF_FFFFL;
  }

  static long int64(byte[] b, int i, boolean bigEndian) {
    long high = int32(b, i, true) & 0xFFFF_FFFFL;
    long low = int32(b, i + 4, true) & 0xFFFF_FFFFL;
    long value = high << 32 | low;
    return bigEndian ? value : Long.reverseBytes(value);
  }

  static void putInt16(byte[] b, int i, int value, boolean bigEndian) {
    int ordered = bigEndian ? value : Short.reverseBytes((short) value);
    b[i] = (byte) (ordered >>> 8);
    b[i + 1] = (byte) ordered;
  }

  static void putInt32(byte[] b, int i, int value, boolean bigEndian) {
    int ordered = bigEndian ? value : Integer.reverseBytes(value);
    b[i] = (byte) (ordered >>> 24);
    b[i + 1] = (byte) (ordered >>> 16);
    b[i + 2] = (byte) (ordered >>> 8);
    b[i + 3] = (byte) ordered;
  }

  static void putInt64(byte[] b, int i, long value, boolean bigEndian) {
    long ordered = bigEndian ? value : Long.reverseBytes(value);
    putInt32(b, i, (int) (ordered >>> 32), true);
    putInt32(b, i + 4, (int) ordered, true);
  }

  /** An unsigned 32-bit length as an int; lengths of 2 GiB and more become Integer.MAX_VALUE. */
  static int clampToInt(long unsignedLength) {
    return (int) Math.min(unsignedLength, Integer.MAX_VALUE);
  }
}
