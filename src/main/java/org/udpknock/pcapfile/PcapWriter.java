package org.udpknock.pcapfile;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Writes a classic pcap file (see {@link PcapFormat}), buffered, for test fixtures and benchmark
 * inputs. It writes what it is given: a captured length above the snaplen or the original
 * length is not refused, so that odd files can be made on purpose.
 */
public final class PcapWriter implements Closeable, Flushable {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final long MAX_SECONDS = 0xFFFF_FFFFL;

  private final OutputBuffer out;
  private final boolean nanosecond;

  /** Writes the global header at once. The writer owns {@code out} and closes it. */
  public PcapWriter(OutputStream out, int linkType, boolean nanosecond, ByteOrder order,
      int snaplen) throws IOException {
    this.out = new OutputBuffer(Objects.requireNonNull(out, "out"),
        Objects.requireNonNull(order, "order"), OutputBuffer.DEFAULT_SIZE);
    this.nanosecond = nanosecond;
    this.out.int32(nanosecond ? PcapFormat.MAGIC_NANOSECONDS : PcapFormat.MAGIC_MICROSECONDS);
    this.out.int16(PcapFormat.VERSION_MAJOR);
    this.out.int16(PcapFormat.VERSION_MINOR);
    this.out.int32(0); // thiszone
    this.out.int32(0); // sigfigs
    this.out.int32(snaplen);
    this.out.int32(linkType);
  }

  /**
   * Writes one record. The time is truncated to microseconds in a microsecond file; it must lie
   * between 1970 and 2106 (an unsigned 32-bit count of seconds).
   */
  public void write(long timeNanos, byte[] data, int offset, int capturedLength,
      int originalLength) throws IOException {
    Objects.checkFromIndexSize(offset, capturedLength, data.length);
    if (originalLength < 0) {
      throw new IllegalArgumentException("originalLength < 0: " + originalLength);
    }
    long seconds = Math.floorDiv(timeNanos, NANOS_PER_SECOND);
    if (seconds < 0 || seconds > MAX_SECONDS) {
      throw new IllegalArgumentException("timeNanos outside 1970..2106: " + timeNanos);
    }
    long nanos = Math.floorMod(timeNanos, NANOS_PER_SECOND);
    out.int32((int) seconds);
    out.int32((int) (nanosecond ? nanos : nanos / 1000));
    out.int32(capturedLength);
    out.int32(originalLength);
    out.bytes(data, offset, capturedLength);
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  /** Flushes and closes the stream. */
  @Override
  public void close() throws IOException {
    out.close();
  }
}
