package org.udpknock.pcapfile;

/**
 * One record read from a capture file. Mutable and reused by {@link CaptureFileReader}, so
 * reading allocates nothing per packet; copy what you keep.
 */
public final class Frame {
  /** The link type of a pcapng packet whose interface was never described. */
  public static final int UNKNOWN_LINK_TYPE = -1;

  /** Capture time in nanoseconds since the Unix epoch, UTC. */
  public long timeNanos;
  /**
   * Decimal digits of fraction the file's timestamps carry: 6 for microseconds, 9 for
   * nanoseconds; for a pcapng resolution of 10^-n seconds n (at most 9), for 2^-n seconds the
   * fewest digits that tell two consecutive units apart (at most 9).
   */
  public int timeDigits;
  /** The link type of the interface that captured this frame (see {@code LinkType}), or -1. */
  public int linkType;
  /** The pcapng interface id of the frame (0 in pcap files, which have one interface). */
  public int interfaceId;
  /** The captured bytes, {@code data[0..capturedLength)}; the array may be longer. */
  public byte[] data = new byte[65536];
  /** How many bytes were captured (0 is possible: a record without data). */
  public int capturedLength;
  /** How long the packet was on the wire (values above Integer.MAX_VALUE are clamped to it). */
  public int originalLength;

  /** Returns {@link #data}, first replaced by a larger array if it holds fewer than length bytes. */
  byte[] dataWithCapacity(int length) {
    if (data == null || data.length < length) {
      int doubled = data == null ? 0 : (int) Math.min(2L * data.length, Integer.MAX_VALUE);
      data = new byte[Math.max(length, Math.min(doubled, CaptureFileReader.MAX_CAPTURED_LENGTH))];
    }
    return data;
  }
}
