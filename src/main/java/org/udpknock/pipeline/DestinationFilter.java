package org.udpknock.pipeline;

/** Decides whether a datagram's destination address is one this host answers for. */
@FunctionalInterface
public interface DestinationFilter {
  boolean accepts(long destinationHi, long destinationLo);

  /** Every destination counts: replay of captures, and {@code --any-destination}. */
  DestinationFilter ANY = (hi, lo) -> true;
}
