package org.udpknock.pipeline;

/**
 * Decides whether a datagram's destination address is one this host answers for (a link-local
 * one in its scoped key form, see {@code Addresses}), and whether a tagged frame reaches it.
 */
@FunctionalInterface
public interface DestinationFilter {
  boolean accepts(long destinationHi, long destinationLo);

  /**
   * Whether a frame with these VLAN tags (outermost first), captured on {@code interfaceName}
   * (null: unknown), reaches an IP stack of this host. By default it does, as the capture
   * shows it: replay cannot know the capturing host's VLAN interfaces.
   */
  default boolean acceptsVlans(String interfaceName, int[] vlanIds, int count) {
    return true;
  }

  /** Every destination counts: replay of captures, and {@code --any-destination}. */
  DestinationFilter ANY = (hi, lo) -> true;
}
