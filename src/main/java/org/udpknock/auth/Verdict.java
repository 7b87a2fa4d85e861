package org.udpknock.auth;

/** What the verifier made of one datagram to a sequence port, in the order it checks. */
public enum Verdict {
  ACCEPTED("accepted"),
  /** Not exactly one whole payload of the right length and version (plain knocks land here). */
  MALFORMED("malformed"),
  /**
   * A whole payload of version 1, whose tag covers no server id: accepting it would let a knock
   * for one server open every other server with the same key.
   */
  OLD_VERSION("old-version"),
  /** The tag does not match: another key, or altered bytes. */
  BAD_TAG("bad-tag"),
  /** Authentic, but stamped for another position of the sequence than the port it reached. */
  WRONG_STAGE("wrong-stage"),
  /** Its timestamp is more than the allowed skew away from the packet's time. */
  STALE("stale"),
  /**
   * Stamped before this server started: the nonce cache starts empty, so it cannot tell such a
   * knock from a copy of one accepted by an earlier run (after a restart, or a crash).
   */
  BEFORE_START("before-start"),
  /** Its nonce was already accepted within the window. */
  REPLAYED("replayed"),
  /** The nonce cache is full: refused rather than evicting a live nonce. */
  CACHE_FULL("cache-full");

  private final String label;

  Verdict(String label) {
    this.label = label;
  }

  /** As printed in events and summaries, e.g. {@code bad-tag}. */
  public String label() {
    return label;
  }
}
