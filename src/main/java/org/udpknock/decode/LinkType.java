package org.udpknock.decode;

/**
 * Link-layer header types, as numbered in pcap file headers and pcapng interface blocks
 * (the LINKTYPE_* values of tcpdump.org), with the few platform DLT_* values that differ.
 */
public final class LinkType {
  private LinkType() {}

  /** BSD loopback: a 4-byte address family in the capturing host's byte order. */
  public static final int NULL = 0;
  /** Ethernet II, possibly with 802.1Q / 802.1ad tags. */
  public static final int ETHERNET = 1;
  /** DLT_RAW as most systems number it: the frame is an IPv4 or IPv6 packet. */
  public static final int RAW_DLT12 = 12;
  /** DLT_RAW as OpenBSD numbers it. */
  public static final int RAW_DLT14 = 14;
  /** LINKTYPE_RAW, the number pcap files use for raw IP. */
  public static final int RAW = 101;
  /** OpenBSD loopback: a 4-byte address family in network byte order. */
  public static final int LOOP = 108;
  /** Linux cooked capture v1 (tcpdump -i any before 4.99, or -y LINUX_SLL). */
  public static final int LINUX_SLL = 113;
  /** Raw IPv4 only. */
  public static final int IPV4 = 228;
  /** Raw IPv6 only. */
  public static final int IPV6 = 229;
  /** Linux cooked capture v2 (tcpdump -i any since 4.99). */
  public static final int LINUX_SLL2 = 276;

  /** A short name for logs, e.g. {@code EN10MB}; unknown types give their number. */
  public static String name(int linkType) {
    switch (linkType) {
      case NULL: return "NULL";
      case ETHERNET: return "EN10MB";
      case RAW_DLT12: case RAW_DLT14: case RAW: return "RAW";
      case LOOP: return "LOOP";
      case LINUX_SLL: return "LINUX_SLL";
      case IPV4: return "IPV4";
      case IPV6: return "IPV6";
      case LINUX_SLL2: return "LINUX_SLL2";
      default: return "LINKTYPE_" + linkType;
    }
  }
}
