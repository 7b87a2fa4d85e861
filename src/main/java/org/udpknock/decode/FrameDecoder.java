package org.udpknock.decode;

/**
 * Decodes a captured frame down to its UDP ports. Pure code over a byte array: no libpcap,
 * no allocation, and no exception ever escapes {@link #decode}.
 */
public final class FrameDecoder {
  private FrameDecoder() {}

  /**
   * Decodes {@code length} captured bytes of {@code frame} starting at {@code offset}.
   *
   * @return {@link DecodeOutcome#UDP} with {@code out} filled in, or why there is no UDP header
   */
  public static DecodeOutcome decode(int linkType, byte[] frame, int offset, int length, Datagram out) {
    throw new UnsupportedOperationException("TODO: helper B");
  }
}
