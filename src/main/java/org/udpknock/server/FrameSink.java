package org.udpknock.server;

import org.udpknock.pipeline.Ingress;

/** Receives captured frames, on the capture thread. */
@FunctionalInterface
public interface FrameSink {
  void onFrame(long timeNanos, int linkType, byte[] data, int offset, int length);

  /**
   * A frame that came in on {@code ingress}, the interface the capture knows it by. Sinks that
   * do not care about the interface implement only the method above.
   */
  default void onFrame(long timeNanos, int linkType, Ingress ingress, byte[] data, int offset, int length) {
    onFrame(timeNanos, linkType, data, offset, length);
  }

  /**
   * A frame the capture could not even hand over (libpcap gave a bad record, say): the capture
   * goes on. The server counts it as a {@code packet-error}.
   */
  default void frameFailed(RuntimeException failure) {}
}
