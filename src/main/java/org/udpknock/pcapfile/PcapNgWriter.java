package org.udpknock.pcapfile;

import static org.udpknock.pcapfile.PcapNgFormat.BLOCK_HEADER_LENGTH;
import static org.udpknock.pcapfile.PcapNgFormat.BLOCK_TRAILER_LENGTH;
import static org.udpknock.pcapfile.PcapNgFormat.ENHANCED_PACKET_FIXED_LENGTH;
import static org.udpknock.pcapfile.PcapNgFormat.INTERFACE_DESCRIPTION_FIXED_LENGTH;
import static org.udpknock.pcapfile.PcapNgFormat.OPTION_HEADER_LENGTH;
import static org.udpknock.pcapfile.PcapNgFormat.SECTION_HEADER_FIXED_LENGTH;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Writes a pcapng file (see {@link PcapNgFormat}), buffered, for test fixtures and benchmark
 * inputs: one section, interfaces with a decimal timestamp resolution, Enhanced Packet Blocks.
 */
public final class PcapNgWriter implements Closeable, Flushable {
  private static final int BLOCK_OVERHEAD = BLOCK_HEADER_LENGTH + BLOCK_TRAILER_LENGTH;
  /** if_tsresol: a 4-byte option header, a 1-byte value padded to 4, then opt_endofopt. */
  private static final int TSRESOL_OPTIONS_LENGTH = OPTION_HEADER_LENGTH + 4 + OPTION_HEADER_LENGTH;

  private final OutputBuffer out;
  /** Per interface id: nanoseconds per timestamp unit (10^(9 - digits)). */
  private long[] nanosPerUnit = new long[4];
  private int interfaceCount;

  /** Writes the Section Header Block at once. The writer owns {@code out} and closes it. */
  public PcapNgWriter(OutputStream out, ByteOrder order) throws IOException {
    this.out = new OutputBuffer(Objects.requireNonNull(out, "out"),
        Objects.requireNonNull(order, "order"), OutputBuffer.DEFAULT_SIZE);
    int length = BLOCK_OVERHEAD + SECTION_HEADER_FIXED_LENGTH;
    this.out.int32(PcapNgFormat.SECTION_HEADER_BLOCK);
    this.out.int32(length);
    this.out.int32(PcapNgFormat.BYTE_ORDER_MAGIC);
    this.out.int16(PcapNgFormat.VERSION_MAJOR);
    this.out.int16(PcapNgFormat.VERSION_MINOR);
    this.out.int64(-1); // section length: not known in advance
    this.out.int32(length);
  }

  /**
   * Describes an interface whose timestamps count units of 10^-tsresolDigits seconds (6 is the
   * pcapng default and writes no if_tsresol option); returns its id, 0 for the first.
   */
  public int addInterface(int linkType, int snaplen, int tsresolDigits) throws IOException {
    if (linkType < 0 || linkType > 0xFFFF) {
      throw new IllegalArgumentException("linkType outside 0..65535: " + linkType);
    }
    if (tsresolDigits < 0 || tsresolDigits > 9) {
      throw new IllegalArgumentException("tsresolDigits outside 0..9: " + tsresolDigits);
    }
    boolean withOption = tsresolDigits != 6;
    int length = BLOCK_OVERHEAD + INTERFACE_DESCRIPTION_FIXED_LENGTH
        + (withOption ? TSRESOL_OPTIONS_LENGTH : 0);
    out.int32(PcapNgFormat.INTERFACE_DESCRIPTION_BLOCK);
    out.int32(length);
    out.int16(linkType);
    out.int16(0); // reserved
    out.int32(snaplen);
    if (withOption) {
      out.int16(PcapNgFormat.IF_TSRESOL);
      out.int16(1);
      out.int8(tsresolDigits); // MSB clear: units of 10^-digits seconds
      out.padTo4(1);
      out.int16(PcapNgFormat.OPT_ENDOFOPT);
      out.int16(0);
    }
    out.int32(length);
    return remember(tsresolDigits);
  }

  private int remember(int tsresolDigits) {
    if (interfaceCount == nanosPerUnit.length) {
      nanosPerUnit = Arrays.copyOf(nanosPerUnit, interfaceCount * 2);
    }
    long factor = 1;
    for (int i = tsresolDigits; i < 9; i++) {
      factor *= 10;
    }
    nanosPerUnit[interfaceCount] = factor;
    return interfaceCount++;
  }

  /**
   * Writes an Enhanced Packet Block. The time, at least 0, is truncated to the interface's
   * resolution.
   */
  public void write(int interfaceId, long timeNanos, byte[] data, int off, int caplen, int origLen)
      throws IOException {
    Objects.checkIndex(interfaceId, interfaceCount);
    Objects.checkFromIndexSize(off, caplen, data.length);
    if (timeNanos < 0) {
      throw new IllegalArgumentException("timeNanos < 0: " + timeNanos);
    }
    if (origLen < 0) {
      throw new IllegalArgumentException("origLen < 0: " + origLen);
    }
    long units = timeNanos / nanosPerUnit[interfaceId];
    long length = BLOCK_OVERHEAD + ENHANCED_PACKET_FIXED_LENGTH + PcapNgFormat.padded(caplen);
    if (length > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("caplen too large for a block: " + caplen);
    }
    out.int32(PcapNgFormat.ENHANCED_PACKET_BLOCK);
    out.int32((int) length);
    out.int32(interfaceId);
    out.int32((int) (units >>> 32));
    out.int32((int) units);
    out.int32(caplen);
    out.int32(origLen);
    out.bytes(data, off, caplen);
    out.padTo4(caplen);
    out.int32((int) length);
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
