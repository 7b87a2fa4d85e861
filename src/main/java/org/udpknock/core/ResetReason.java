package org.udpknock.core;

/** Why an attempt was dropped before it completed. */
public enum ResetReason {
  /** The source knocked on a sequence port that was neither expected, a duplicate, nor the first. */
  WRONG_PORT("wrong-port"),
  /** More than the sequence timeout passed since the attempt's first knock. */
  EXPIRED("expired"),
  /** The table of attempts was full and this was the oldest one. */
  EVICTED("evicted"),
  /** The source sent a datagram to a guard port next to the sequence: it looks like a port sweep. */
  GUARD("guard");

  private final String label;

  ResetReason(String label) {
    this.label = label;
  }

  /** As printed in events, e.g. {@code wrong-port}. */
  public String label() {
    return label;
  }
}
