package org.udpknock.fleet;

/**
 * One grant as the hosts of a fleet share it: which door, which source (the core's 128-bit key;
 * IPv4 as {@code ::ffff:a.b.c.d}), and when it ends, in wall-clock nanoseconds since the epoch,
 * the clock every host's packet timestamps and timers use. A renewal is the same grant with a
 * later end.
 */
public record SharedGrant(String door, long sourceHi, long sourceLo, long expiresAtNanos) {}
