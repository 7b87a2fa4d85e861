package org.udpknock.decode;

import static org.udpknock.decode.HeaderLayout.AF_INET;
import static org.udpknock.decode.HeaderLayout.ARPHRD_LOOPBACK;
import static org.udpknock.decode.HeaderLayout.AF_INET6_DARWIN;
import static org.udpknock.decode.HeaderLayout.AF_INET6_FREEBSD;
import static org.udpknock.decode.HeaderLayout.AF_INET6_LINUX;
import static org.udpknock.decode.HeaderLayout.AF_INET6_NETBSD_OPENBSD;
import static org.udpknock.decode.HeaderLayout.ETHERNET_HEADER_LENGTH;
import static org.udpknock.decode.HeaderLayout.ETHERNET_TYPE_OFFSET;
import static org.udpknock.decode.HeaderLayout.ETHERTYPE_IPV4;
import static org.udpknock.decode.HeaderLayout.ETHERTYPE_IPV6;
import static org.udpknock.decode.HeaderLayout.ETHERTYPE_LENGTH;
import static org.udpknock.decode.HeaderLayout.ETHERTYPE_VLAN_8021AD;
import static org.udpknock.decode.HeaderLayout.ETHERTYPE_VLAN_8021Q;
import static org.udpknock.decode.HeaderLayout.ETHERTYPE_VLAN_QINQ_LEGACY;
import static org.udpknock.decode.HeaderLayout.IPPROTO_DSTOPTS;
import static org.udpknock.decode.HeaderLayout.IPPROTO_FRAGMENT;
import static org.udpknock.decode.HeaderLayout.IPPROTO_HOPOPTS;
import static org.udpknock.decode.HeaderLayout.IPPROTO_ROUTING;
import static org.udpknock.decode.HeaderLayout.IPPROTO_UDP;
import static org.udpknock.decode.HeaderLayout.IPV4_DESTINATION_OFFSET;
import static org.udpknock.decode.HeaderLayout.IPV4_FLAGS_FRAGMENT_OFFSET;
import static org.udpknock.decode.HeaderLayout.IPV4_FRAGMENT_OFFSET_MASK;
import static org.udpknock.decode.HeaderLayout.IPV4_IHL_UNIT;
import static org.udpknock.decode.HeaderLayout.IPV4_MIN_IHL;
import static org.udpknock.decode.HeaderLayout.IPV4_PROTOCOL_OFFSET;
import static org.udpknock.decode.HeaderLayout.IPV4_SOURCE_OFFSET;
import static org.udpknock.decode.HeaderLayout.IPV4_TOTAL_LENGTH_OFFSET;
import static org.udpknock.decode.HeaderLayout.IPV6_DESTINATION_OFFSET;
import static org.udpknock.decode.HeaderLayout.IPV6_EXT_LENGTH_OFFSET;
import static org.udpknock.decode.HeaderLayout.IPV6_EXT_LENGTH_UNIT;
import static org.udpknock.decode.HeaderLayout.IPV6_EXT_NEXT_HEADER_OFFSET;
import static org.udpknock.decode.HeaderLayout.IPV6_FRAGMENT_HEADER_LENGTH;
import static org.udpknock.decode.HeaderLayout.IPV6_FRAGMENT_NEXT_HEADER_OFFSET;
import static org.udpknock.decode.HeaderLayout.IPV6_FRAGMENT_OFFSET_MASK;
import static org.udpknock.decode.HeaderLayout.IPV6_FRAGMENT_OFFSET_OFFSET;
import static org.udpknock.decode.HeaderLayout.IPV6_HEADER_LENGTH;
import static org.udpknock.decode.HeaderLayout.IPV6_NEXT_HEADER_OFFSET;
import static org.udpknock.decode.HeaderLayout.IPV6_PAYLOAD_LENGTH_OFFSET;
import static org.udpknock.decode.HeaderLayout.IPV6_SOURCE_OFFSET;
import static org.udpknock.decode.HeaderLayout.IP_VERSION_4;
import static org.udpknock.decode.HeaderLayout.IP_VERSION_6;
import static org.udpknock.decode.HeaderLayout.LOOPBACK_HEADER_LENGTH;
import static org.udpknock.decode.HeaderLayout.MAX_IPV6_EXTENSION_HEADERS;
import static org.udpknock.decode.HeaderLayout.MAX_VLAN_TAGS;
import static org.udpknock.decode.HeaderLayout.SLL2_HARDWARE_TYPE_OFFSET;
import static org.udpknock.decode.HeaderLayout.SLL2_HEADER_LENGTH;
import static org.udpknock.decode.HeaderLayout.SLL2_INTERFACE_INDEX_OFFSET;
import static org.udpknock.decode.HeaderLayout.SLL2_PROTOCOL_OFFSET;
import static org.udpknock.decode.HeaderLayout.SLL_HARDWARE_TYPE_OFFSET;
import static org.udpknock.decode.HeaderLayout.SLL_HEADER_LENGTH;
import static org.udpknock.decode.HeaderLayout.SLL_PROTOCOL_OFFSET;
import static org.udpknock.decode.HeaderLayout.UDP_DESTINATION_PORT_OFFSET;
import static org.udpknock.decode.HeaderLayout.UDP_HEADER_LENGTH;
import static org.udpknock.decode.HeaderLayout.UDP_LENGTH_OFFSET;
import static org.udpknock.decode.HeaderLayout.UDP_SOURCE_PORT_OFFSET;
import static org.udpknock.decode.HeaderLayout.VLAN_ID_MASK;
import static org.udpknock.decode.HeaderLayout.VLAN_TAG_LENGTH;

/**
 * Decodes a captured frame down to its UDP ports and the place of its payload. Pure code over a byte array: no libpcap,
 * no allocation, and no exception ever escapes {@link #decode}.
 *
 * <p>Every method below takes the position of its header and {@code end}, the index just past
 * the captured bytes. Each read is preceded by an explicit check that it lies before
 * {@code end}, and a position only moves past bytes known to be captured, so positions never
 * exceed {@code end} and never overflow. Checksums are not verified: captures on loopback and
 * of outgoing packets hold partial checksums that the NIC would have completed.
 */
public final class FrameDecoder {
  private FrameDecoder() {}

  /**
   * Decodes {@code length} captured bytes of {@code frame} starting at {@code offset}.
   *
   * <p>A null {@code frame}, or a range that does not lie inside it, counts as
   * {@link DecodeOutcome#TRUNCATED}. With a null {@code out} the frame is only classified.
   *
   * @return {@link DecodeOutcome#UDP} with {@code out} filled in, or why there is no UDP header
   */
  public static DecodeOutcome decode(int linkType, byte[] frame, int offset, int length, Datagram out) {
    if (frame == null || offset < 0 || length < 0 || offset > frame.length - length) {
      return DecodeOutcome.TRUNCATED;
    }
    int end = offset + length;
    if (out != null) {
      out.clearLink();
    }
    switch (linkType) {
      case LinkType.ETHERNET:
        return ethernet(frame, offset, end, out);
      case LinkType.LINUX_SLL:
        return cooked(frame, offset, end, SLL_LAYOUT, out);
      case LinkType.LINUX_SLL2:
        return cooked(frame, offset, end, SLL2_LAYOUT, out);
      case LinkType.NULL:
        return loopback(frame, offset, end, false, out);
      case LinkType.LOOP:
        return loopback(frame, offset, end, true, out);
      case LinkType.RAW_DLT12:
      case LinkType.RAW_DLT14:
      case LinkType.RAW:
        return rawIp(frame, offset, end, out);
      case LinkType.IPV4:
        return ipv4(frame, offset, end, out);
      case LinkType.IPV6:
        return ipv6(frame, offset, end, out);
      default:
        return DecodeOutcome.UNKNOWN_LINK_TYPE;
    }
  }

  private static DecodeOutcome ethernet(byte[] f, int pos, int end, Datagram out) {
    if (!captured(pos, ETHERNET_HEADER_LENGTH, end)) return DecodeOutcome.TRUNCATED;
    int typePos = pos + ETHERNET_TYPE_OFFSET;
    return afterVlanTags(uint16(f, typePos), f, typePos + ETHERTYPE_LENGTH, end, out);
  }

  /**
   * Walks the VLAN tags that {@code type} may start: a tag's TPID is the type just read, then come
   * 2 bytes of TCI at {@code next} and the next EtherType (which may be another tag, as in QinQ).
   * Ethernet frames carry tags after their addresses; cooked captures after their header, where
   * libpcap puts back the tag the kernel took off.
   */
  private static DecodeOutcome afterVlanTags(int type, byte[] f, int next, int end, Datagram out) {
    for (int tags = 0; isVlanTag(type); tags++) {
      if (tags == MAX_VLAN_TAGS) return DecodeOutcome.MALFORMED;
      if (!captured(next, VLAN_TAG_LENGTH, end)) {
        return DecodeOutcome.TRUNCATED;
      }
      if (out != null) {
        out.vlanIds[tags] = uint16(f, next) & VLAN_ID_MASK;
        out.vlanCount = tags + 1;
      }
      type = uint16(f, next + ETHERTYPE_LENGTH);
      next += VLAN_TAG_LENGTH;
    }
    return byEtherType(type, f, next, end, out);
  }

  private static boolean isVlanTag(int etherType) {
    return etherType == ETHERTYPE_VLAN_8021Q
        || etherType == ETHERTYPE_VLAN_8021AD
        || etherType == ETHERTYPE_VLAN_QINQ_LEGACY;
  }

  /** Where the fields of a Linux cooked header lie; an interface index offset of -1: none. */
  private record CookedLayout(int length, int protocolOffset, int hardwareTypeOffset, int interfaceIndexOffset) {}

  private static final CookedLayout SLL_LAYOUT =
      new CookedLayout(SLL_HEADER_LENGTH, SLL_PROTOCOL_OFFSET, SLL_HARDWARE_TYPE_OFFSET, -1);
  private static final CookedLayout SLL2_LAYOUT = new CookedLayout(SLL2_HEADER_LENGTH,
      SLL2_PROTOCOL_OFFSET, SLL2_HARDWARE_TYPE_OFFSET, SLL2_INTERFACE_INDEX_OFFSET);

  /**
   * Linux cooked captures: a fixed-size header holding an EtherType, the hardware type of the
   * interface (so whether it is loopback) and, in v2, the interface index.
   */
  private static DecodeOutcome cooked(byte[] f, int pos, int end, CookedLayout layout, Datagram out) {
    if (!captured(pos, layout.length(), end)) return DecodeOutcome.TRUNCATED;
    if (out != null) {
      boolean loopback = uint16(f, pos + layout.hardwareTypeOffset()) == ARPHRD_LOOPBACK;
      out.linkKind = loopback ? LinkKind.LOOPBACK : LinkKind.OTHER;
      out.interfaceIndex = layout.interfaceIndexOffset() < 0 ? 0 : int32(f, pos + layout.interfaceIndexOffset());
    }
    return afterVlanTags(uint16(f, pos + layout.protocolOffset()), f, pos + layout.length(), end, out);
  }

  private static DecodeOutcome byEtherType(
      int etherType, byte[] f, int pos, int end, Datagram out) {
    switch (etherType) {
      case ETHERTYPE_IPV4:
        return ipv4(f, pos, end, out);
      case ETHERTYPE_IPV6:
        return ipv6(f, pos, end, out);
      default:
        return DecodeOutcome.NOT_IP;
    }
  }

  private static DecodeOutcome loopback(
      byte[] f, int pos, int end, boolean networkByteOrder, Datagram out) {
    if (!captured(pos, LOOPBACK_HEADER_LENGTH, end)) return DecodeOutcome.TRUNCATED;
    int family = networkByteOrder ? int32(f, pos) : hostOrderFamily(f, pos);
    pos += LOOPBACK_HEADER_LENGTH;
    if (out != null) {
      out.linkKind = LinkKind.LOOPBACK;
    }
    if (family == AF_INET) return ipv4(f, pos, end, out);
    if (isInet6Family(family)) return ipv6(f, pos, end, out);
    return DecodeOutcome.NOT_IP;
  }

  /**
   * DLT_NULL holds the family in the byte order of the host that captured, which the file does
   * not record. Families are small numbers: read little-endian, and a value with any of its
   * upper 16 bits set must have been written big-endian.
   */
  private static int hostOrderFamily(byte[] f, int pos) {
    int littleEndian = Integer.reverseBytes(int32(f, pos));
    return (littleEndian >>> 16) == 0 ? littleEndian : int32(f, pos);
  }

  /** AF_INET6 is numbered differently on each OS, and a capture may come from any of them. */
  private static boolean isInet6Family(int family) {
    return family == AF_INET6_LINUX
        || family == AF_INET6_NETBSD_OPENBSD
        || family == AF_INET6_FREEBSD
        || family == AF_INET6_DARWIN;
  }

  /** DLT_RAW: an IPv4 or IPv6 packet, told apart by its version nibble. */
  private static DecodeOutcome rawIp(byte[] f, int pos, int end, Datagram out) {
    if (!captured(pos, 1, end)) return DecodeOutcome.TRUNCATED;
    switch (ipVersion(f, pos)) {
      case IP_VERSION_4:
        return ipv4(f, pos, end, out);
      case IP_VERSION_6:
        return ipv6(f, pos, end, out);
      default:
        return DecodeOutcome.MALFORMED;
    }
  }

  private static DecodeOutcome ipv4(byte[] f, int ip, int end, Datagram out) {
    if (!captured(ip, 1, end)) return DecodeOutcome.TRUNCATED;
    int ihl = f[ip] & 0x0F;
    if (ipVersion(f, ip) != IP_VERSION_4 || ihl < IPV4_MIN_IHL) return DecodeOutcome.MALFORMED;
    int headerLength = ihl * IPV4_IHL_UNIT;
    if (!captured(ip, headerLength, end)) return DecodeOutcome.TRUNCATED;
    int totalLength = uint16(f, ip + IPV4_TOTAL_LENGTH_OFFSET);
    if (totalLength < headerLength) return DecodeOutcome.MALFORMED;
    // Only the fragment at offset 0 carries the UDP header, whether or not MF is set.
    if ((uint16(f, ip + IPV4_FLAGS_FRAGMENT_OFFSET) & IPV4_FRAGMENT_OFFSET_MASK) != 0) {
      return DecodeOutcome.NON_FIRST_FRAGMENT;
    }
    // ICMP errors quote the UDP header of a knock, but their own protocol is 1: they stop here.
    if (uint8(f, ip + IPV4_PROTOCOL_OFFSET) != IPPROTO_UDP) return DecodeOutcome.NOT_UDP;
    // The packet ends at its total length, not at the end of the capture: bytes past it are
    // Ethernet padding and must not be read as ports.
    if (totalLength - headerLength < UDP_HEADER_LENGTH) return DecodeOutcome.MALFORMED;
    int udp = ip + headerLength;
    if (!captured(udp, UDP_HEADER_LENGTH, end)) return DecodeOutcome.TRUNCATED;
    if (out != null) {
      out.setIpv4(int32(f, ip + IPV4_SOURCE_OFFSET), int32(f, ip + IPV4_DESTINATION_OFFSET));
      setUdp(f, udp, ip + totalLength, end, out);
    }
    return DecodeOutcome.UDP;
  }

  private static DecodeOutcome ipv6(byte[] f, int ip, int end, Datagram out) {
    if (!captured(ip, 1, end)) return DecodeOutcome.TRUNCATED;
    if (ipVersion(f, ip) != IP_VERSION_6) return DecodeOutcome.MALFORMED;
    if (!captured(ip, IPV6_HEADER_LENGTH, end)) return DecodeOutcome.TRUNCATED;
    int payload = ip + IPV6_HEADER_LENGTH;
    int next = uint8(f, ip + IPV6_NEXT_HEADER_OFFSET);
    int pos = payload;
    for (int walked = 0; next != IPPROTO_UDP; walked++) {
      if (walked == MAX_IPV6_EXTENSION_HEADERS) return DecodeOutcome.MALFORMED;
      int headerLength;
      if (next == IPPROTO_FRAGMENT) {
        if (!captured(pos, IPV6_FRAGMENT_HEADER_LENGTH, end)) return DecodeOutcome.TRUNCATED;
        if ((uint16(f, pos + IPV6_FRAGMENT_OFFSET_OFFSET) & IPV6_FRAGMENT_OFFSET_MASK) != 0) {
          return DecodeOutcome.NON_FIRST_FRAGMENT;
        }
        headerLength = IPV6_FRAGMENT_HEADER_LENGTH;
        next = uint8(f, pos + IPV6_FRAGMENT_NEXT_HEADER_OFFSET);
      } else if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS) {
        // The length is the second byte: it must be captured before we know how far to skip.
        if (!captured(pos, IPV6_EXT_LENGTH_OFFSET + 1, end)) return DecodeOutcome.TRUNCATED;
        headerLength = (uint8(f, pos + IPV6_EXT_LENGTH_OFFSET) + 1) * IPV6_EXT_LENGTH_UNIT;
        if (!captured(pos, headerLength, end)) return DecodeOutcome.TRUNCATED;
        next = uint8(f, pos + IPV6_EXT_NEXT_HEADER_OFFSET);
      } else {
        return DecodeOutcome.NOT_UDP; // TCP, ICMPv6, no next header (59), AH, ESP, ...
      }
      pos += headerLength;
    }
    // As for IPv4, the payload length bounds the packet; 0 means a jumbogram (RFC 2675),
    // whose length hides in a hop-by-hop option: then the capture is all we have.
    int payloadLength = uint16(f, ip + IPV6_PAYLOAD_LENGTH_OFFSET);
    if (payloadLength != 0 && payloadLength < pos - payload + UDP_HEADER_LENGTH) {
      return DecodeOutcome.MALFORMED;
    }
    if (!captured(pos, UDP_HEADER_LENGTH, end)) return DecodeOutcome.TRUNCATED;
    if (out != null) {
      out.ipv6 = true;
      out.sourceHi = int64(f, ip + IPV6_SOURCE_OFFSET);
      out.sourceLo = int64(f, ip + IPV6_SOURCE_OFFSET + 8);
      out.destinationHi = int64(f, ip + IPV6_DESTINATION_OFFSET);
      out.destinationLo = int64(f, ip + IPV6_DESTINATION_OFFSET + 8);
      setUdp(f, pos, payloadLength == 0 ? end : payload + payloadLength, end, out);
    }
    return DecodeOutcome.UDP;
  }

  /**
   * Reads the ports and locates the payload. The payload ends at the UDP length field, which
   * must lie within the IP packet ({@code ipEnd}); {@link Datagram#payloadComplete} says whether
   * all of it was captured. Without a sane length field the payload is empty and incomplete,
   * yet the ports still count: plain knocks never read the payload.
   */
  private static void setUdp(byte[] f, int udp, int ipEnd, int end, Datagram out) {
    out.sourcePort = uint16(f, udp + UDP_SOURCE_PORT_OFFSET);
    out.destinationPort = uint16(f, udp + UDP_DESTINATION_PORT_OFFSET);
    int udpLength = uint16(f, udp + UDP_LENGTH_OFFSET);
    int payload = udp + UDP_HEADER_LENGTH;
    out.payloadOffset = payload;
    // ipEnd - udp cannot overflow: both are array indices or an index plus 65535.
    if (udpLength < UDP_HEADER_LENGTH || udpLength > ipEnd - udp) {
      out.payloadLength = 0;
      out.payloadComplete = false;
      return;
    }
    int declared = udpLength - UDP_HEADER_LENGTH;
    int captured = end - payload;
    out.payloadLength = Math.min(declared, captured);
    out.payloadComplete = declared <= captured;
  }

  /** True if {@code count} bytes from {@code pos} were captured; needs {@code pos <= end}. */
  private static boolean captured(int pos, int count, int end) {
    return count <= end - pos;
  }

  private static int ipVersion(byte[] f, int pos) {
    return (f[pos] & 0xF0) >>> 4;
  }

  private static int uint8(byte[] f, int pos) {
    return f[pos] & 0xFF;
  }

  private static int uint16(byte[] f, int pos) {
    return (f[pos] & 0xFF) << 8 | (f[pos + 1] & 0xFF);
  }

  private static int int32(byte[] f, int pos) {
    return uint16(f, pos) << 16 | uint16(f, pos + 2);
  }

  private static long int64(byte[] f, int pos) {
    return (long) int32(f, pos) << 32 | (int32(f, pos + 4) & 0xFFFF_FFFFL);
  }
}
