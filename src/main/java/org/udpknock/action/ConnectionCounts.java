package org.udpknock.action;

/**
 * What a door's action did with the connections to its port since it started, for metrics.
 *
 * @param served greeted (greet), or relayed to the backend (forward)
 * @param refused reset without a byte: the source held no grant
 * @param busy granted, but closed: as many were being greeted or relayed as the door allows
 */
public record ConnectionCounts(long served, long refused, long busy) {
  /** A door without a port of its own (nftables, commands only). */
  public static final ConnectionCounts NONE = new ConnectionCounts(0, 0, 0);
}
