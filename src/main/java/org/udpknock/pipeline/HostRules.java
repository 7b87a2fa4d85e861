package org.udpknock.pipeline;

import org.udpknock.core.Addresses;
import org.udpknock.decode.Datagram;
import org.udpknock.decode.LinkKind;

/**
 * Which datagrams a Linux host would hand to its UDP layer at all, judged on their addresses
 * and the kind of interface they came in on. A datagram the kernel drops is no knock.
 *
 * <ul>
 *   <li>IPv6 sources and destinations in {@code ::/8} other than {@code ::1} (the unspecified
 *       address, IPv4-mapped {@code ::ffff:0:0/96}, IPv4-compatible): RFC 4291 2.5.5, Linux drops
 *       an IPv4-mapped source. Refusing all of {@code ::/8} also keeps an IPv6 key from ever
 *       equalling an IPv4 one, and leaves room for scoped link-local keys ({@link Addresses}).
 *   <li>Multicast sources (IPv4 224/4 and 255.255.255.255, IPv6 ff00::/8) and IPv4 0/8 sources.
 *   <li>Link-local sources outside {@code fe80::/64} (RFC 4291 2.5.6).
 *   <li>Loopback sources or destinations (127/8, {@code ::1}) on an interface known not to be
 *       loopback: martians. Where the interface kind is unknown (replay of Ethernet or raw IP
 *       captures, which do not say), they count, as the capture shows them.
 * </ul>
 */
public final class HostRules {
  private static final long IPV4_MAPPED_HI = 0L;
  private static final long FIRST_BYTE_MASK = 0xFF00_0000_0000_0000L;
  private static final long IPV6_MULTICAST = 0xFF00_0000_0000_0000L;
  private static final long LINK_LOCAL_MASK = 0xFFC0_0000_0000_0000L;
  private static final long IPV6_LOOPBACK_LO = 1L;

  private HostRules() {}

  /** True if the host would accept {@code d}'s addresses on an interface of this kind. */
  public static boolean accepts(Datagram d, LinkKind kind) {
    boolean loopbackAllowed = kind != LinkKind.OTHER;
    if (d.ipv6) {
      return ipv6SourceAccepted(d.sourceHi, d.sourceLo, loopbackAllowed)
          && ipv6DestinationAccepted(d.destinationHi, d.destinationLo, loopbackAllowed);
    }
    int source = (int) d.sourceLo;
    int destination = (int) d.destinationLo;
    return ipv4SourceAccepted(source, loopbackAllowed) && (loopbackAllowed || !isIpv4Loopback(destination));
  }

  private static boolean ipv6SourceAccepted(long hi, long lo, boolean loopbackAllowed) {
    if ((hi & FIRST_BYTE_MASK) == 0) {
      return loopbackAllowed && isIpv6Loopback(hi, lo);
    }
    if ((hi & FIRST_BYTE_MASK) == IPV6_MULTICAST) {
      return false;
    }
    return (hi & LINK_LOCAL_MASK) != Addresses.LINK_LOCAL_HI || hi == Addresses.LINK_LOCAL_HI;
  }

  private static boolean ipv6DestinationAccepted(long hi, long lo, boolean loopbackAllowed) {
    return (hi & FIRST_BYTE_MASK) != 0 || (loopbackAllowed && isIpv6Loopback(hi, lo));
  }

  private static boolean isIpv6Loopback(long hi, long lo) {
    return hi == IPV4_MAPPED_HI && lo == IPV6_LOOPBACK_LO;
  }

  private static boolean ipv4SourceAccepted(int source, boolean loopbackAllowed) {
    int firstOctet = source >>> 24;
    boolean multicast = firstOctet >= 224 && firstOctet <= 239;
    if (multicast || source == -1 || firstOctet == 0) {
      return false;
    }
    return loopbackAllowed || !isIpv4Loopback(source);
  }

  private static boolean isIpv4Loopback(int address) {
    return address >>> 24 == 127;
  }
}
