package org.udpknock.decode;

/**
 * Offsets and values of the headers {@link FrameDecoder} reads, all relative to the start of
 * their own header. Multi-byte fields are big-endian unless noted.
 *
 * <pre>
 * Ethernet II (LINKTYPE_ETHERNET), with zero or more VLAN tags before the EtherType:
 *   0                   6                   12      14
 *   +-------------------+-------------------+-------+
 *   |  destination MAC  |    source MAC     | type  |   type 0x8100 / 0x88a8 / 0x9100: a tag,
 *   +-------------------+-------------------+-------+   4 bytes (TPID, TCI), then the real type
 *
 * Linux cooked v1 (LINUX_SLL), 16 bytes:
 *   0           2           4           6                          14          16
 *   +-----------+-----------+-----------+--------------------------+-----------+
 *   |packet type|  ARPHRD   |addr length|  link address (8 bytes)  | protocol  |
 *   +-----------+-----------+-----------+--------------------------+-----------+
 *
 * Linux cooked v2 (LINUX_SLL2), 20 bytes:
 *   0           2           4                       8           10    11    12            20
 *   +-----------+-----------+-----------------------+-----------+-----+-----+-------------+
 *   | protocol  | reserved  |    interface index    |  ARPHRD   |type |alen | address (8) |
 *   +-----------+-----------+-----------------------+-----------+-----+-----+-------------+
 *
 * BSD loopback (NULL: host byte order; LOOP: network byte order):
 *   +---------------------------+
 *   |  address family, 4 bytes  |   2 = IPv4; IPv6 is 10, 24, 28 or 30 depending on the OS
 *   +---------------------------+
 *
 * IPv4 (RFC 791):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-------+-------+---------------+-------------------------------+
 *   |Version|  IHL  |      TOS      |         Total Length          |  0
 *   +-------+-------+---------------+-----+-------------------------+
 *   |        Identification         |Flags|    Fragment Offset      |  4
 *   +---------------+---------------+-----+-------------------------+
 *   |      TTL      |   Protocol    |        Header Checksum        |  8
 *   +---------------+---------------+-------------------------------+
 *   |                        Source Address                         | 12
 *   +---------------------------------------------------------------+
 *   |                     Destination Address                       | 16
 *   +---------------------------------------------------------------+
 *   |                 Options (IHL * 4 - 20 bytes)                  | 20
 *   +---------------------------------------------------------------+
 *
 * IPv6 (RFC 8200), 40 bytes:
 *   +-------+---------------+---------------------------------------+
 *   |Version| Traffic Class |              Flow Label               |  0
 *   +-------+---------------+-------+---------------+---------------+
 *   |         Payload Length        |  Next Header  |   Hop Limit   |  4
 *   +-------------------------------+---------------+---------------+
 *   |                 Source Address (16 bytes)                     |  8
 *   +---------------------------------------------------------------+
 *   |               Destination Address (16 bytes)                  | 24
 *   +---------------------------------------------------------------+
 *
 * IPv6 extension headers: hop-by-hop (0), routing (43), destination options (60)
 *   +---------------+---------------+-------------------------------+
 *   |  Next Header  |  Hdr Ext Len  |  (Hdr Ext Len + 1) * 8 bytes  |
 *   +---------------+---------------+-------------------------------+
 * and fragment (44), always 8 bytes:
 *   +---------------+---------------+-------------------------+-+-+-+
 *   |  Next Header  |   Reserved    |     Fragment Offset     |Res|M|
 *   +---------------+---------------+-------------------------+-+-+-+
 *   |                        Identification                         |
 *   +---------------------------------------------------------------+
 *
 * UDP (RFC 768), 8 bytes:
 *   +-------------------------------+-------------------------------+
 *   |          Source Port          |       Destination Port        |
 *   +-------------------------------+-------------------------------+
 *   |            Length             |           Checksum            |
 *   +-------------------------------+-------------------------------+
 * </pre>
 */
final class HeaderLayout {
  private HeaderLayout() {}

  // Ethernet.
  static final int ETHERNET_TYPE_OFFSET = 12;
  static final int ETHERNET_HEADER_LENGTH = 14;
  static final int ETHERTYPE_LENGTH = 2;
  /** A VLAN tag: 2-byte TPID (the tag's own EtherType) and 2-byte TCI. */
  static final int VLAN_TAG_LENGTH = 4;
  /** More stacked tags than any real network uses; a bound so that garbage cannot loop long. */
  static final int MAX_VLAN_TAGS = 8;
  /** The VLAN id: the low 12 bits of the TCI (the top 4 are priority and DEI). */
  static final int VLAN_ID_MASK = 0x0FFF;

  // EtherTypes.
  static final int ETHERTYPE_IPV4 = 0x0800;
  static final int ETHERTYPE_IPV6 = 0x86DD;
  static final int ETHERTYPE_VLAN_8021Q = 0x8100;
  static final int ETHERTYPE_VLAN_8021AD = 0x88A8;
  /** The QinQ outer tag used before 802.1ad was standardised. */
  static final int ETHERTYPE_VLAN_QINQ_LEGACY = 0x9100;

  // Linux cooked captures.
  static final int SLL_HARDWARE_TYPE_OFFSET = 2;
  static final int SLL_PROTOCOL_OFFSET = 14;
  static final int SLL_HEADER_LENGTH = 16;
  static final int SLL2_PROTOCOL_OFFSET = 0;
  static final int SLL2_INTERFACE_INDEX_OFFSET = 4;
  static final int SLL2_HARDWARE_TYPE_OFFSET = 8;
  static final int SLL2_HEADER_LENGTH = 20;
  /** The ARPHRD_* hardware type of Linux loopback interfaces. */
  static final int ARPHRD_LOOPBACK = 772;

  // BSD loopback.
  static final int LOOPBACK_HEADER_LENGTH = 4;
  static final int AF_INET = 2;
  static final int AF_INET6_LINUX = 10;
  static final int AF_INET6_NETBSD_OPENBSD = 24;
  static final int AF_INET6_FREEBSD = 28;
  static final int AF_INET6_DARWIN = 30;

  // IPv4.
  static final int IPV4_TOTAL_LENGTH_OFFSET = 2;
  static final int IPV4_FLAGS_FRAGMENT_OFFSET = 6;
  /** The low 13 bits of the flags/fragment word; the top 3 are the flags (reserved, DF, MF). */
  static final int IPV4_FRAGMENT_OFFSET_MASK = 0x1FFF;
  static final int IPV4_PROTOCOL_OFFSET = 9;
  static final int IPV4_SOURCE_OFFSET = 12;
  static final int IPV4_DESTINATION_OFFSET = 16;
  static final int IPV4_MIN_HEADER_LENGTH = 20;
  static final int IPV4_MIN_IHL = 5;
  /** IHL counts 32-bit words. */
  static final int IPV4_IHL_UNIT = 4;

  // IPv6.
  static final int IPV6_PAYLOAD_LENGTH_OFFSET = 4;
  static final int IPV6_NEXT_HEADER_OFFSET = 6;
  static final int IPV6_SOURCE_OFFSET = 8;
  static final int IPV6_DESTINATION_OFFSET = 24;
  static final int IPV6_HEADER_LENGTH = 40;
  /** Hop-by-hop, routing and destination options headers start with next header, then length. */
  static final int IPV6_EXT_NEXT_HEADER_OFFSET = 0;
  static final int IPV6_EXT_LENGTH_OFFSET = 1;
  /** Extension header lengths count 8-byte units, not counting the first 8 bytes. */
  static final int IPV6_EXT_LENGTH_UNIT = 8;
  static final int IPV6_FRAGMENT_HEADER_LENGTH = 8;
  static final int IPV6_FRAGMENT_NEXT_HEADER_OFFSET = 0;
  static final int IPV6_FRAGMENT_OFFSET_OFFSET = 2;
  /** The top 13 bits of the fragment word; the low 3 are two reserved bits and M. */
  static final int IPV6_FRAGMENT_OFFSET_MASK = 0xFFF8;
  /** Real packets carry a handful; a bound so that a crafted chain cannot loop long. */
  static final int MAX_IPV6_EXTENSION_HEADERS = 16;

  // IP version numbers and protocol / next-header numbers.
  static final int IP_VERSION_4 = 4;
  static final int IP_VERSION_6 = 6;
  static final int IPPROTO_HOPOPTS = 0;
  static final int IPPROTO_UDP = 17;
  static final int IPPROTO_ROUTING = 43;
  static final int IPPROTO_FRAGMENT = 44;
  static final int IPPROTO_DSTOPTS = 60;
  /** The extension headers {@link FrameDecoder} walks on its way to UDP; {@link CaptureFilter} passes them all. */
  static final int[] IPV6_WALKED_HEADERS = {IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_FRAGMENT, IPPROTO_DSTOPTS};

  // UDP.
  static final int UDP_SOURCE_PORT_OFFSET = 0;
  static final int UDP_DESTINATION_PORT_OFFSET = 2;
  static final int UDP_LENGTH_OFFSET = 4;
  static final int UDP_HEADER_LENGTH = 8;
}
