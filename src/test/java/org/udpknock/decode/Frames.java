package org.udpknock.decode;

import java.io.ByteArrayOutputStream;

/**
 * Hand-written frames, as commented hex, shared by the decoder tests. Link-layer headers and IP
 * packets are kept apart so that each packet can be sent through each link type.
 *
 * <p>Addresses are chosen so that a mix-up shows: IPv4 addresses have their top bit set (sign
 * extension), IPv6 addresses differ in every 16-bit group (high/low half swaps).
 */
final class Frames {
  private Frames() {}

  /** Parses hex digits, ignoring spaces. */
  static byte[] hex(String hex) {
    String digits = hex.replace(" ", "");
    if (digits.length() % 2 != 0) throw new IllegalArgumentException("odd hex: " + hex);
    byte[] bytes = new byte[digits.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
    }
    return bytes;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) out.writeBytes(part);
    return out.toByteArray();
  }

  // ---------------------------------------------------------------------------------------
  // Expected values. IPv4 addresses are stored IPv4-mapped: ::ffff:a.b.c.d.

  /** ::ffff:192.168.1.10, low half. */
  static final long V4_KNOCKER_LO = 0x0000_FFFF_C0A8_010AL;
  /** ::ffff:192.168.1.1, low half. */
  static final long V4_SERVER_LO = 0x0000_FFFF_C0A8_0101L;
  /** 2001:db8:1:2:3:4:5:6, the IPv6 knocker. */
  static final long V6_KNOCKER_HI = 0x2001_0DB8_0001_0002L;
  static final long V6_KNOCKER_LO = 0x0003_0004_0005_0006L;
  /** 2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff, the IPv6 server. */
  static final long V6_SERVER_HI = 0x2001_0DB8_AAAA_BBBBL;
  static final long V6_SERVER_LO = 0xCCCC_DDDD_EEEE_FFFFL;
  static final int KNOCKER_PORT = 40000;
  static final int V4_KNOCK_PORT = 12001;
  static final int V6_KNOCK_PORT = 12002;

  // ---------------------------------------------------------------------------------------
  // Link-layer headers.

  static final String MACS = ""
      + "02 00 00 00 00 02" // destination MAC
      + "02 00 00 00 00 01"; // source MAC
  static final byte[] ETHERNET_IPV4 = hex(MACS + "08 00"); // EtherType IPv4
  static final byte[] ETHERNET_IPV6 = hex(MACS + "86 dd"); // EtherType IPv6
  static final byte[] ETHERNET_VLAN_IPV4 = hex(MACS
      + "81 00 00 64" // 802.1Q tag, VLAN 100
      + "08 00"); // EtherType IPv4
  static final byte[] ETHERNET_QINQ_IPV4 = hex(MACS
      + "88 a8 00 c8" // 802.1ad service tag, VLAN 200
      + "81 00 00 64" // 802.1Q customer tag, VLAN 100
      + "08 00"); // EtherType IPv4
  static final byte[] ETHERNET_LEGACY_QINQ_IPV6 = hex(MACS
      + "91 00 00 c8" // pre-standard QinQ tag, VLAN 200
      + "81 00 00 64" // 802.1Q tag, VLAN 100
      + "86 dd"); // EtherType IPv6
  static final byte[] ETHERNET_ARP = hex(MACS + "08 06"); // EtherType ARP

  static final String SLL_PREFIX = ""
      + "00 00" // packet type: to us
      + "00 01" // ARPHRD_ETHER
      + "00 06" // link address length
      + "02 00 00 00 00 01 00 00"; // link address, padded to 8 bytes
  static final byte[] SLL_IPV4 = hex(SLL_PREFIX + "08 00"); // protocol IPv4
  static final byte[] SLL_IPV6 = hex(SLL_PREFIX + "86 dd"); // protocol IPv6

  static final String SLL2_SUFFIX = ""
      + "00 00" // reserved
      + "00 00 00 02" // interface index 2
      + "00 01" // ARPHRD_ETHER
      + "00" // packet type: to us
      + "06" // link address length
      + "02 00 00 00 00 01 00 00"; // link address, padded to 8 bytes
  static final byte[] SLL2_IPV4 = hex("08 00" + SLL2_SUFFIX); // protocol IPv4
  static final byte[] SLL2_IPV6 = hex("86 dd" + SLL2_SUFFIX); // protocol IPv6

  static final byte[] NULL_LE_INET = hex("02 00 00 00"); // AF_INET, little-endian host
  static final byte[] NULL_BE_INET = hex("00 00 00 02"); // AF_INET, big-endian host
  static final byte[] NULL_LE_INET6_LINUX = hex("0a 00 00 00"); // AF_INET6 = 10 (Linux), LE

  static final byte[] LOOP_INET = hex("00 00 00 02"); // AF_INET, network byte order
  static final byte[] LOOP_INET6 = hex("00 00 00 18"); // AF_INET6 = 24 (OpenBSD)

  // ---------------------------------------------------------------------------------------
  // IPv4 packets, from 192.168.1.10 to 192.168.1.1.

  static final String KNOCK_PAYLOAD = "6b 6e 6f 63 6b"; // "knock"

  static final byte[] IPV4_UDP = hex(""
      + "45 00 00 21" // version 4, IHL 5, total length 33
      + "12 34 40 00" // identification, DF, fragment offset 0
      + "40 11 00 00" // TTL 64, protocol 17 (UDP), checksum (not checked)
      + "c0 a8 01 0a" // source 192.168.1.10
      + "c0 a8 01 01" // destination 192.168.1.1
      + "9c 40 2e e1" // UDP: source port 40000, destination port 12001
      + "00 0d 00 00" // UDP: length 13, no checksum
      + KNOCK_PAYLOAD);
  /** Bytes up to and including the UDP header of {@link #IPV4_UDP}. */
  static final int IPV4_UDP_NEEDED = 28;

  static final byte[] IPV4_OPTIONS_IHL6_UDP = hex(""
      + "46 00 00 25" // IHL 6: 4 bytes of options; total length 37
      + "12 34 40 00"
      + "40 11 00 00" // protocol 17 (UDP)
      + "c0 a8 01 0a c0 a8 01 01"
      + "01 01 01 00" // options: NOP, NOP, NOP, end of list
      + "9c 40 2e e1 00 0d 00 00" // UDP 40000 -> 12001
      + KNOCK_PAYLOAD);

  static final byte[] IPV4_OPTIONS_IHL15_UDP = hex(""
      + "4f 00 00 49" // IHL 15: 40 bytes of options, the most there can be; total length 73
      + "12 34 40 00"
      + "40 11 00 00"
      + "c0 a8 01 0a c0 a8 01 01"
      + "01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01" // 39 NOPs...
      + "01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 00" // ...and end of list
      + "9c 40 2e e1 00 0d 00 00" // UDP 40000 -> 12001
      + KNOCK_PAYLOAD);

  static final byte[] IPV4_FIRST_FRAGMENT_UDP = hex(""
      + "45 00 00 21" // total length 33: this fragment only
      + "12 34 20 00" // MF set, fragment offset 0: the UDP header is here
      + "40 11 00 00"
      + "c0 a8 01 0a c0 a8 01 01"
      + "9c 40 2e e1 05 c8 00 00" // UDP 40000 -> 12001, length 1480 (the whole datagram)
      + KNOCK_PAYLOAD);

  static final byte[] IPV4_LAST_FRAGMENT = hex(""
      + "45 00 00 21"
      + "12 34 00 b9" // MF clear, fragment offset 185 (1480 bytes)
      + "40 11 00 00"
      + "c0 a8 01 0a c0 a8 01 01"
      + "9c 40 2e e1 00 0d 00 00 6b 6e 6f 63 6b"); // payload bytes that merely look like UDP

  static final byte[] IPV4_MIDDLE_FRAGMENT = hex(""
      + "45 00 00 21"
      + "12 34 20 b9" // MF set, fragment offset 185
      + "40 11 00 00"
      + "c0 a8 01 0a c0 a8 01 01"
      + "9c 40 2e e1 00 0d 00 00 6b 6e 6f 63 6b");

  static final byte[] IPV4_ICMP_PORT_UNREACHABLE = hex(""
      + "45 00 00 38" // total length 56
      + "00 00 00 00"
      + "40 01 00 00" // protocol 1 (ICMP)
      + "c0 a8 01 01" // source 192.168.1.1: the knocked host answers
      + "c0 a8 01 0a" // destination 192.168.1.10
      + "03 03 00 00" // ICMP type 3 (unreachable), code 3 (port), checksum
      + "00 00 00 00" // unused
      + "45 00 00 21 12 34 40 00 40 11 00 00 c0 a8 01 0a c0 a8 01 01" // quoted IPv4 header
      + "9c 40 2e e1 00 0d 00 00"); // quoted UDP header: 40000 -> 12001

  static final byte[] IPV4_TCP_SYN = hex(""
      + "45 00 00 28" // total length 40
      + "00 00 40 00"
      + "40 06 00 00" // protocol 6 (TCP)
      + "c0 a8 01 0a c0 a8 01 01"
      + "9c 40 2e e1" // TCP ports 40000 -> 12001
      + "00 00 00 01 00 00 00 00" // sequence, acknowledgement
      + "50 02 ff ff 00 00 00 00"); // data offset 5, SYN, window, checksum, urgent

  static final byte[] ARP_REQUEST = hex(""
      + "00 01 08 00 06 04 00 01" // Ethernet, IPv4, sizes 6 and 4, request
      + "02 00 00 00 00 01 c0 a8 01 0a" // sender MAC and IP
      + "00 00 00 00 00 00 c0 a8 01 01"); // target MAC and IP

  // ---------------------------------------------------------------------------------------
  // IPv6 packets, from 2001:db8:1:2:3:4:5:6 to 2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff.

  static final String V6_KNOCKER = "20 01 0d b8 00 01 00 02 00 03 00 04 00 05 00 06";
  static final String V6_SERVER = "20 01 0d b8 aa aa bb bb cc cc dd dd ee ee ff ff";
  static final String UDP6_KNOCK = "9c 40 2e e2 00 0d 00 00" + KNOCK_PAYLOAD; // 40000 -> 12002

  static final byte[] IPV6_UDP = hex(""
      + "60 00 00 00" // version 6, traffic class 0, flow label 0
      + "00 0d 11 40" // payload length 13, next header 17 (UDP), hop limit 64
      + V6_KNOCKER // source
      + V6_SERVER // destination
      + UDP6_KNOCK);
  /** Bytes up to and including the UDP header of {@link #IPV6_UDP}. */
  static final int IPV6_UDP_NEEDED = 48;

  static final byte[] IPV6_EXTENSIONS_UDP = hex(""
      + "60 00 00 00"
      + "00 25 00 40" // payload length 37, next header 0 (hop-by-hop)
      + V6_KNOCKER + V6_SERVER
      + "3c 00 01 04 00 00 00 00" // hop-by-hop: next 60, 8 bytes, PadN(4)
      + "2c 00 01 04 00 00 00 00" // destination options: next 44, 8 bytes, PadN(4)
      + "11 00 00 01 00 00 30 39" // fragment: next 17, offset 0, M set, identification 12345
      + UDP6_KNOCK);
  /** Bytes up to and including the UDP header of {@link #IPV6_EXTENSIONS_UDP}. */
  static final int IPV6_EXTENSIONS_UDP_NEEDED = 40 + 24 + 8;

  /** Valid options that pcap4j 1.8.2 cannot parse: see FrameDecoderDifferentialTest. */
  static final byte[] IPV6_ODD_OPTIONS_UDP = hex(""
      + "60 00 00 00"
      + "00 1d 00 40" // payload length 29, next header 0 (hop-by-hop)
      + V6_KNOCKER + V6_SERVER
      + "3c 00" // hop-by-hop: next 60, 8 bytes
      + "00 01 00 04 00 00" // Pad1, PadN of length 0, unknown option 4 of length 0, Pad1
      + "11 00" // destination options: next 17, 8 bytes
      + "00 01 00 04 00 00" // the same options
      + UDP6_KNOCK);

  static final byte[] IPV6_ROUTING_LONG_OPTIONS_UDP = hex(""
      + "60 00 00 00"
      + "00 35 2b 40" // payload length 53, next header 43 (routing)
      + V6_KNOCKER + V6_SERVER
      + "3c 02 00 00 00 00 00 00" // routing: next 60, 24 bytes, type 0, segments left 0
      + V6_SERVER // routing: the one address
      + "11 01 01 0c 00 00 00 00 00 00 00 00 00 00 00 00" // dest. options: next 17, 16 bytes
      + UDP6_KNOCK);

  static final byte[] IPV6_NON_FIRST_FRAGMENT = hex(""
      + "60 00 00 00"
      + "00 15 2c 40" // payload length 21, next header 44 (fragment)
      + V6_KNOCKER + V6_SERVER
      + "11 00 05 a8 00 00 30 39" // fragment: next 17, offset 181 (1448 bytes), M clear
      + UDP6_KNOCK); // payload bytes that merely look like UDP

  static final byte[] IPV6_ICMP_PORT_UNREACHABLE = hex(""
      + "60 00 00 00"
      + "00 38 3a 40" // payload length 56, next header 58 (ICMPv6)
      + V6_SERVER + V6_KNOCKER // the knocked host answers
      + "01 04 00 00 00 00 00 00" // type 1 (unreachable), code 4 (port), checksum, unused
      + "60 00 00 00 00 0d 11 40" + V6_KNOCKER + V6_SERVER // quoted IPv6 header
      + "9c 40 2e e2 00 0d 00 00"); // quoted UDP header: 40000 -> 12002

  static final byte[] IPV6_TCP_SYN = hex(""
      + "60 00 00 00"
      + "00 14 06 40" // payload length 20, next header 6 (TCP)
      + V6_KNOCKER + V6_SERVER
      + "9c 40 2e e2 00 00 00 01 00 00 00 00" // TCP ports, sequence, acknowledgement
      + "50 02 ff ff 00 00 00 00"); // data offset 5, SYN, window, checksum, urgent

  static final byte[] IPV6_NO_NEXT_HEADER = hex(""
      + "60 00 00 00"
      + "00 00 3b 40" // payload length 0, next header 59 (none)
      + V6_KNOCKER + V6_SERVER);
}
