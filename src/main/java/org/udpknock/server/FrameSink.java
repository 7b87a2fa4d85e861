package org.udpknock.server;

/** Receives captured frames, on the capture thread. */
@FunctionalInterface
public interface FrameSink {
  void onFrame(long timeNanos, int linkType, byte[] data, int offset, int length);

  /**
   * A frame the capture could not even hand over (libpcap gave a bad record, say): the capture
   * goes on. The server counts it as a {@code packet-error}.
   */
  default void frameFailed(RuntimeException failure) {}
}
