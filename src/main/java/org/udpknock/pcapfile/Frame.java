package org.udpknock.pcapfile;

import java.util.Arrays;
import jdk.internal.vm.annotation.Contended;

/**
 * One record read from a capture file. Mutable and reused by {@link CaptureFileReader}, so
 * reading allocates nothing per packet; copy what you keep.
 */
// Padded from its neighbours in memory (false sharing): written at every frame by
// the thread that reads a capture; see BatchedReplay.
@Contended
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
  /**
   * The captured bytes are {@code data[offset..offset + capturedLength)}. The array is the
   * frame's own, or, for a classic pcap record that lies whole in the reader's buffer, that
   * buffer itself: decoding then reads the bytes where the file's read put them, without a copy
   * per packet (the copy, and the decoder's first reads of what it had just stored, were a third
   * of a replay's reading thread in its profile). Either way they are valid until the next read.
   */
  public byte[] data = new byte[65536];
  /** Where the captured bytes start in {@link #data}. */
  public int offset;
  /** How many bytes were captured (0 is possible: a record without data). */
  public int capturedLength;
  /** How long the packet was on the wire (values above Integer.MAX_VALUE are clamped to it). */
  public int originalLength;

  /** The frame's own array while {@link #data} is a reader's buffer; null otherwise. */
  private byte[] own;

  /** A copy of the captured bytes. */
  public byte[] bytes() {
    return Arrays.copyOfRange(data, offset, offset + capturedLength);
  }

  /** Makes the frame's bytes {@code length} bytes of {@code buffer} from {@code start}, uncopied. */
  void view(byte[] buffer, int start, int length) {
    if (own == null) {
      own = data;
    }
    data = buffer;
    offset = start;
    capturedLength = length;
  }

  /**
   * The frame's own array, to copy {@code length} bytes into from offset 0: {@link #data} again
   * after a view, first replaced by a larger array if it holds fewer than length bytes.
   */
  byte[] dataWithCapacity(int length) {
    offset = 0;
    if (own != null) {
      data = own;
      own = null;
    }
    if (data == null || data.length < length) {
      int doubled = data == null ? 0 : (int) Math.min(2L * data.length, Integer.MAX_VALUE);
      data = new byte[Math.max(length, Math.min(doubled, CaptureFileReader.MAX_CAPTURED_LENGTH))];
    }
    return data;
  }
}
