package org.udpknock.server;

/** Kernel counters of a capture: packets that passed the filter and packets dropped for lack of buffer. */
public record CaptureStats(long received, long dropped) {
  public static final CaptureStats NONE = new CaptureStats(0, 0);
}
