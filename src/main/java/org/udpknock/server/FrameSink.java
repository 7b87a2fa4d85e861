package org.udpknock.server;

/** Receives captured frames, on the capture thread. */
@FunctionalInterface
public interface FrameSink {
  void onFrame(long timeNanos, int linkType, byte[] data, int offset, int length);
}
