package org.udpknock.decode;

/**
 * What decoding one frame found. Frames that are well formed but carry no UDP header are
 * <em>ignored</em>; frames that cannot be decoded are <em>skipped</em> and counted by reason.
 */
public enum DecodeOutcome {
  /** A UDP header was read; the {@link Datagram} holds its addresses and ports. */
  UDP(false, "udp"),
  /** Not IPv4 or IPv6 (ARP, LLDP, ...). */
  NOT_IP(false, "not-ip"),
  /** IP, but not UDP: TCP, ICMP (including port-unreachable replies quoting a knock), ... */
  NOT_UDP(false, "not-udp"),
  /** A non-first IP fragment: it carries no UDP header. */
  NON_FIRST_FRAGMENT(false, "fragment"),
  /** The captured bytes end before the headers needed to reach the UDP ports. */
  TRUNCATED(true, "truncated"),
  /** A header holds an impossible value (IP version, IHL, lengths, extension-header chain). */
  MALFORMED(true, "malformed"),
  /** A link type this decoder does not know. */
  UNKNOWN_LINK_TYPE(true, "unknown-link-type");

  private final boolean skipped;
  private final String label;

  DecodeOutcome(boolean skipped, String label) {
    this.skipped = skipped;
    this.label = label;
  }

  /** True when the frame could not be decoded and counts as a skipped frame. */
  public boolean skipped() {
    return skipped;
  }

  /** The reason as printed in summaries, e.g. {@code truncated}. */
  public String label() {
    return label;
  }
}
