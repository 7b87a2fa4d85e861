package org.udpknock.pcapfile;

/**
 * One record read from a capture file. Mutable and reused by {@link CaptureFileReader}, so
 * reading allocates nothing per packet; copy what you keep.
 */
public final class Frame {
  /** Capture time in nanoseconds since the Unix epoch, UTC. */
  public long timeNanos;
  /** Decimal digits of fraction the file's timestamps carry: 6 for microseconds, 9 for nanoseconds. */
  public int timeDigits;
  /** The link type of the interface that captured this frame (see {@code LinkType}). */
  public int linkType;
  /** The captured bytes, {@code data[0..capturedLength)}; the array may be longer. */
  public byte[] data = new byte[65536];
  /** How many bytes were captured. */
  public int capturedLength;
  /** How long the packet was on the wire. */
  public int originalLength;
}
