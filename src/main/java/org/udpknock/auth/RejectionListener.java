package org.udpknock.auth;

/** Told of each datagram to a sequence port that authentication refused. */
public interface RejectionListener {
  void rejected(long timeNanos, long sourceHi, long sourceLo, int port, Verdict reason);

  RejectionListener NONE = (timeNanos, sourceHi, sourceLo, port, reason) -> {};
}
