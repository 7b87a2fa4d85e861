package org.udpknock.server;

import java.util.function.IntFunction;

/**
 * A live source of captured frames: the seam between the server and libpcap. The pcap4j
 * implementation lives in {@code org.udpknock.capture}; tests can plug in their own.
 */
public interface PacketSource extends AutoCloseable {
  /** The interface captured, e.g. {@code lo}. */
  String interfaceName();

  /** The link type of the frames delivered (see {@code LinkType}). */
  int linkType();

  /** The BPF filter applied in the kernel. */
  String filter();

  /**
   * Delivers frames to {@code sink} on the calling thread until {@link #stop} is called (then
   * returns normally) or capture fails (then throws {@link CaptureException}).
   */
  void run(FrameSink sink) throws CaptureException;

  /**
   * Captures with another BPF filter from now on, made for the capture's link type by
   * {@code filterForLinkType} (a reload's doors), without losing a frame that both filters
   * pass. From any thread but the capture's. A source that cannot change its filter ignores it.
   *
   * @throws CaptureException when the new filter cannot be applied: the old one stays
   */
  default void refilter(IntFunction<String> filterForLinkType) throws CaptureException {}

  /** Ends {@link #run} soon; may be called from any thread, more than once. */
  void stop();

  /** Counters from the kernel, safe to read from any thread while running. */
  CaptureStats stats();

  @Override
  void close();
}
