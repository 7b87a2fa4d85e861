package org.udpknock.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.udpknock.decode.Frames.*;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {
  /** Every link type the decoder knows. */
  static final int[] LINK_TYPES = {
    LinkType.NULL, LinkType.ETHERNET, LinkType.RAW_DLT12, LinkType.RAW_DLT14, LinkType.RAW,
    LinkType.LOOP, LinkType.LINUX_SLL, LinkType.IPV4, LinkType.IPV6, LinkType.LINUX_SLL2,
  };

  private final Datagram out = new Datagram();

  // ---------------------------------------------------------------------------------------
  // Each link type, IPv4 and IPv6.

  @Test void ethernetIpv4() {
    assertIpv4Knock(decode(LinkType.ETHERNET, concat(ETHERNET_IPV4, IPV4_UDP)));
  }

  @Test void ethernetIpv6() {
    assertIpv6Knock(decode(LinkType.ETHERNET, concat(ETHERNET_IPV6, IPV6_UDP)));
  }

  @Test void ethernetSingleVlanTag() {
    assertIpv4Knock(decode(LinkType.ETHERNET, concat(ETHERNET_VLAN_IPV4, IPV4_UDP)));
  }

  @Test void ethernetDoubleTag8021ad() {
    assertIpv4Knock(decode(LinkType.ETHERNET, concat(ETHERNET_QINQ_IPV4, IPV4_UDP)));
  }

  @Test void ethernetDoubleTagLegacy9100() {
    assertIpv6Knock(decode(LinkType.ETHERNET, concat(ETHERNET_LEGACY_QINQ_IPV6, IPV6_UDP)));
  }

  @Test void ethernetEightTagsIsTheLimit() {
    String tag = "81 00 00 64"; // 802.1Q, VLAN 100
    byte[] eight = hex(MACS + tag.repeat(8) + "08 00");
    byte[] nine = hex(MACS + tag.repeat(9) + "08 00");
    assertIpv4Knock(decode(LinkType.ETHERNET, concat(eight, IPV4_UDP)));
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.ETHERNET, concat(nine, IPV4_UDP)));
  }

  @Test void ethernetArpIsNotIp() {
    assertEquals(DecodeOutcome.NOT_IP, decode(LinkType.ETHERNET, concat(ETHERNET_ARP, ARP_REQUEST)));
  }

  @Test void ethernet8023LengthFieldIsNotIp() {
    byte[] llc = hex(MACS
        + "00 26" // 802.3: a length (38), not an EtherType
        + "42 42 03"); // LLC: spanning tree
    assertEquals(DecodeOutcome.NOT_IP, decode(LinkType.ETHERNET, concat(llc, new byte[35])));
  }

  @Test void ethernetVlanTaggedArpIsNotIp() {
    byte[] tagged = hex(MACS + "81 00 00 64" + "08 06"); // VLAN 100, ARP
    assertEquals(DecodeOutcome.NOT_IP, decode(LinkType.ETHERNET, concat(tagged, ARP_REQUEST)));
  }

  @Test void linuxSllIpv4() {
    assertIpv4Knock(decode(LinkType.LINUX_SLL, concat(SLL_IPV4, IPV4_UDP)));
  }

  @Test void linuxSllIpv6() {
    assertIpv6Knock(decode(LinkType.LINUX_SLL, concat(SLL_IPV6, IPV6_UDP)));
  }

  @Test void linuxSllArpIsNotIp() {
    byte[] sllArp = hex(SLL_PREFIX + "08 06"); // protocol ARP
    assertEquals(DecodeOutcome.NOT_IP, decode(LinkType.LINUX_SLL, concat(sllArp, ARP_REQUEST)));
  }

  /**
   * Fuzzing finding (crash-fb4328287e5eca171b03a6d76a0b2e4de520a717): a cooked frame whose
   * protocol is 802.1Q was NOT_IP, where pcap4j found UDP. libpcap puts the tag the kernel took
   * off back after the cooked header, so a capture on "any" of a VLAN interface's parent looks
   * like this: the tags are walked there as in Ethernet, and their VLAN ids reported.
   */
  @Test void linuxSllAndSll2WalkTheVlanTagsLibpcapPutsBack() {
    byte[] tag = hex("00 2a 08 00"); // VLAN 42, then EtherType IPv4
    assertIpv4Knock(decode(LinkType.LINUX_SLL, concat(hex(SLL_PREFIX + "81 00"), tag, IPV4_UDP)));
    assertEquals(1, out.vlanCount);
    assertEquals(42, out.vlanIds[0]);
    assertIpv4Knock(decode(LinkType.LINUX_SLL2, concat(hex("88 a8" + SLL2_SUFFIX), hex("00 05 81 00"), tag, IPV4_UDP)));
    assertEquals(2, out.vlanCount);
    assertEquals(5, out.vlanIds[0]);
    assertEquals(42, out.vlanIds[1]);
  }

  @Test void linuxSll2Ipv4() {
    assertIpv4Knock(decode(LinkType.LINUX_SLL2, concat(SLL2_IPV4, IPV4_UDP)));
  }

  @Test void linuxSll2Ipv6() {
    assertIpv6Knock(decode(LinkType.LINUX_SLL2, concat(SLL2_IPV6, IPV6_UDP)));
  }

  @Test void linuxSll2ArpIsNotIp() {
    byte[] sll2Arp = hex("08 06" + SLL2_SUFFIX); // protocol ARP
    assertEquals(DecodeOutcome.NOT_IP, decode(LinkType.LINUX_SLL2, concat(sll2Arp, ARP_REQUEST)));
  }

  @Test void nullLittleEndianInet() {
    assertIpv4Knock(decode(LinkType.NULL, concat(NULL_LE_INET, IPV4_UDP)));
  }

  @Test void nullBigEndianInet() {
    assertIpv4Knock(decode(LinkType.NULL, concat(NULL_BE_INET, IPV4_UDP)));
  }

  /** AF_INET6 on Linux, NetBSD/OpenBSD, FreeBSD and macOS, written by either byte order. */
  @ParameterizedTest @ValueSource(ints = {10, 24, 28, 30})
  void nullInet6FamiliesInBothByteOrders(int family) {
    byte[] littleEndian = {(byte) family, 0, 0, 0};
    byte[] bigEndian = {0, 0, 0, (byte) family};
    assertIpv6Knock(decode(LinkType.NULL, concat(littleEndian, IPV6_UDP)));
    assertIpv6Knock(decode(LinkType.NULL, concat(bigEndian, IPV6_UDP)));
  }

  @ParameterizedTest @ValueSource(strings = {
      "00 00 00 00", // AF_UNSPEC
      "07 00 00 00", // 7: not an IP family anywhere
      "00 00 00 11", // 17, big-endian (AF_PACKET on Linux)
      "02 00 00 01", // neither order gives a small number
  })
  void nullOtherFamiliesAreNotIp(String family) {
    assertEquals(DecodeOutcome.NOT_IP, decode(LinkType.NULL, concat(hex(family), IPV4_UDP)));
  }

  @Test void loopInet() {
    assertIpv4Knock(decode(LinkType.LOOP, concat(LOOP_INET, IPV4_UDP)));
  }

  @ParameterizedTest @ValueSource(ints = {10, 24, 28, 30})
  void loopInet6Families(int family) {
    assertIpv6Knock(decode(LinkType.LOOP, concat(new byte[] {0, 0, 0, (byte) family}, IPV6_UDP)));
  }

  /** LOOP is always network byte order: a little-endian 2 reads as 0x02000000. */
  @Test void loopIgnoresHostByteOrder() {
    assertEquals(DecodeOutcome.NOT_IP, decode(LinkType.LOOP, concat(NULL_LE_INET, IPV4_UDP)));
  }

  @ParameterizedTest @ValueSource(ints = {LinkType.RAW_DLT12, LinkType.RAW_DLT14, LinkType.RAW})
  void rawIpv4AndIpv6(int linkType) {
    assertIpv4Knock(decode(linkType, IPV4_UDP));
    assertIpv6Knock(decode(linkType, IPV6_UDP));
  }

  @ParameterizedTest @ValueSource(ints = {LinkType.RAW_DLT12, LinkType.RAW_DLT14, LinkType.RAW})
  void rawOtherVersionNibbleIsMalformed(int linkType) {
    for (int version : new int[] {0, 1, 5, 7, 15}) {
      byte[] packet = IPV4_UDP.clone();
      packet[0] = (byte) (version << 4 | 5);
      assertEquals(DecodeOutcome.MALFORMED, decode(linkType, packet), "version " + version);
    }
  }

  @Test void linkTypeIpv4AcceptsOnlyIpv4() {
    assertIpv4Knock(decode(LinkType.IPV4, IPV4_UDP));
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.IPV4, IPV6_UDP));
  }

  @Test void linkTypeIpv6AcceptsOnlyIpv6() {
    assertIpv6Knock(decode(LinkType.IPV6, IPV6_UDP));
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.IPV6, IPV4_UDP));
  }

  @ParameterizedTest @ValueSource(ints = {2, 3, 100, 105, 127, 228 + 2, 275, 277, -1, Integer.MAX_VALUE})
  void unknownLinkType(int linkType) {
    assertEquals(DecodeOutcome.UNKNOWN_LINK_TYPE, decode(linkType, concat(ETHERNET_IPV4, IPV4_UDP)));
  }

  // ---------------------------------------------------------------------------------------
  // IPv4.

  @Test void ipv4OptionsIhl6() {
    assertIpv4Knock(decode(LinkType.RAW, IPV4_OPTIONS_IHL6_UDP));
  }

  @Test void ipv4OptionsIhl15() {
    assertIpv4Knock(decode(LinkType.ETHERNET, concat(ETHERNET_IPV4, IPV4_OPTIONS_IHL15_UDP)));
  }

  /** The first fragment (MF set, offset 0) carries the UDP header: it is the knock. */
  @Test void ipv4FirstFragmentIsUdp() {
    assertIpv4Knock(decode(LinkType.ETHERNET, concat(ETHERNET_IPV4, IPV4_FIRST_FRAGMENT_UDP)));
  }

  @Test void ipv4LaterFragmentsAreNonFirst() {
    assertEquals(DecodeOutcome.NON_FIRST_FRAGMENT,
        decode(LinkType.ETHERNET, concat(ETHERNET_IPV4, IPV4_LAST_FRAGMENT)));
    assertEquals(DecodeOutcome.NON_FIRST_FRAGMENT,
        decode(LinkType.ETHERNET, concat(ETHERNET_IPV4, IPV4_MIDDLE_FRAGMENT)));
  }

  /** The reply quotes 40000 -> 12001; read as a knock it would count against the server. */
  @Test void ipv4IcmpPortUnreachableQuotingAKnockIsNotUdp() {
    assertEquals(DecodeOutcome.NOT_UDP,
        decode(LinkType.ETHERNET, concat(ETHERNET_IPV4, IPV4_ICMP_PORT_UNREACHABLE)));
  }

  @Test void ipv4TcpIsNotUdp() {
    assertEquals(DecodeOutcome.NOT_UDP, decode(LinkType.ETHERNET, concat(ETHERNET_IPV4, IPV4_TCP_SYN)));
  }

  /** Loopback captures carry partial checksums: a wrong one must not matter. */
  @Test void checksumsAreNotChecked() {
    byte[] packet = IPV4_UDP.clone();
    packet[10] = (byte) 0xde; // IP header checksum
    packet[11] = (byte) 0xad;
    packet[26] = (byte) 0xbe; // UDP checksum
    packet[27] = (byte) 0xef;
    assertIpv4Knock(decode(LinkType.RAW, packet));
  }

  @Test void ipv4WrongVersionIsMalformed() {
    byte[] version5 = IPV4_UDP.clone();
    version5[0] = 0x55;
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.ETHERNET, concat(ETHERNET_IPV4, version5)));
    // EtherType IPv4 with an IPv6 packet behind it.
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.ETHERNET, concat(ETHERNET_IPV4, IPV6_UDP)));
  }

  @ParameterizedTest @ValueSource(ints = {0, 1, 2, 3, 4})
  void ipv4IhlBelow5IsMalformed(int ihl) {
    byte[] packet = IPV4_UDP.clone();
    packet[0] = (byte) (0x40 | ihl);
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.RAW, packet));
  }

  @Test void ipv4TotalLengthShorterThanHeaderIsMalformed() {
    byte[] ihl5 = IPV4_UDP.clone();
    ihl5[3] = 19; // total length 19 < 20
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.RAW, ihl5));
    byte[] ihl6 = IPV4_OPTIONS_IHL6_UDP.clone();
    ihl6[3] = 23; // total length 23 < 24
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.RAW, ihl6));
    byte[] zero = IPV4_UDP.clone();
    zero[3] = 0; // total length 0
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.RAW, zero));
  }

  /**
   * An IPv4 packet whose total length leaves no room for a UDP header, padded by Ethernet to
   * 60 bytes: the padding must not be read as ports.
   */
  @ParameterizedTest @ValueSource(ints = {20, 21, 27})
  void ipv4TotalLengthWithoutRoomForUdpIsMalformed(int totalLength) {
    byte[] packet = Arrays.copyOf(IPV4_UDP, 46); // ports stay where padding would be
    packet[3] = (byte) totalLength;
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.ETHERNET, concat(ETHERNET_IPV4, packet)));
  }

  @Test void ipv4TotalLengthOfExactlyTheUdpHeaderIsUdp() {
    byte[] packet = IPV4_UDP.clone();
    packet[3] = 28; // 20 + 8: an empty datagram
    assertIpv4Knock(decode(LinkType.RAW, packet));
  }

  // ---------------------------------------------------------------------------------------
  // IPv6.

  @Test void ipv6HopByHopDestinationOptionsAndFirstFragment() {
    assertIpv6Knock(decode(LinkType.ETHERNET, concat(ETHERNET_IPV6, IPV6_EXTENSIONS_UDP)));
  }

  @Test void ipv6RoutingAndLongDestinationOptions() {
    assertIpv6Knock(decode(LinkType.LINUX_SLL, concat(SLL_IPV6, IPV6_ROUTING_LONG_OPTIONS_UDP)));
  }

  /**
   * An options header is skipped by its Hdr Ext Len, whatever its options hold. pcap4j 1.8.2
   * gets this wrong: it sizes the header by the options it can parse, so a zero-length PadN
   * or an unknown option ends the header early and the rest is read as the next header.
   */
  @Test void ipv6OptionsHeaderIsSkippedByItsLengthNotByItsOptions() {
    assertIpv6Knock(decode(LinkType.RAW, IPV6_ODD_OPTIONS_UDP));
  }

  @Test void ipv6NonFirstFragment() {
    assertEquals(DecodeOutcome.NON_FIRST_FRAGMENT,
        decode(LinkType.ETHERNET, concat(ETHERNET_IPV6, IPV6_NON_FIRST_FRAGMENT)));
  }

  @Test void ipv6IcmpPortUnreachableQuotingAKnockIsNotUdp() {
    assertEquals(DecodeOutcome.NOT_UDP,
        decode(LinkType.ETHERNET, concat(ETHERNET_IPV6, IPV6_ICMP_PORT_UNREACHABLE)));
  }

  @Test void ipv6TcpIsNotUdp() {
    assertEquals(DecodeOutcome.NOT_UDP, decode(LinkType.RAW, IPV6_TCP_SYN));
  }

  @Test void ipv6NoNextHeaderIsNotUdp() {
    assertEquals(DecodeOutcome.NOT_UDP, decode(LinkType.RAW, IPV6_NO_NEXT_HEADER));
  }

  /** AH (51), ESP (50), mobility (135): headers we do not walk, so no UDP header is reachable. */
  @ParameterizedTest @ValueSource(ints = {50, 51, 135, 255})
  void ipv6OtherNextHeadersAreNotUdp(int nextHeader) {
    byte[] packet = IPV6_UDP.clone();
    packet[6] = (byte) nextHeader;
    assertEquals(DecodeOutcome.NOT_UDP, decode(LinkType.RAW, packet));
  }

  @Test void ipv6SixteenExtensionHeadersIsTheLimit() {
    assertIpv6Knock(decode(LinkType.RAW, ipv6WithDestinationOptions(16)));
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.RAW, ipv6WithDestinationOptions(17)));
  }

  @Test void ipv6WrongVersionIsMalformed() {
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.ETHERNET, concat(ETHERNET_IPV6, IPV4_UDP)));
    byte[] version7 = IPV6_UDP.clone();
    version7[0] = 0x70;
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.LINUX_SLL, concat(SLL_IPV6, version7)));
  }

  @Test void ipv6PayloadLengthWithoutRoomForUdpIsMalformed() {
    byte[] plain = IPV6_UDP.clone();
    plain[5] = 7; // payload length 7 < the 8-byte UDP header
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.RAW, plain));
    byte[] extensions = IPV6_EXTENSIONS_UDP.clone();
    extensions[5] = 31; // 24 bytes of extension headers + 8 = 32 needed
    assertEquals(DecodeOutcome.MALFORMED, decode(LinkType.RAW, extensions));
    extensions[5] = 32;
    assertIpv6Knock(decode(LinkType.RAW, extensions));
  }

  /** Payload length 0 announces a jumbogram; its real length is not in the fixed header. */
  @Test void ipv6PayloadLengthZeroTrustsTheCapture() {
    byte[] packet = IPV6_UDP.clone();
    packet[5] = 0;
    assertIpv6Knock(decode(LinkType.RAW, packet));
  }

  // ---------------------------------------------------------------------------------------
  // Truncation, offsets and ranges.

  static Stream<Arguments> validFrames() {
    return Stream.of(
        Arguments.of("EN10MB IPv4", LinkType.ETHERNET, concat(ETHERNET_IPV4, IPV4_UDP), 14 + 28),
        Arguments.of("EN10MB IPv6", LinkType.ETHERNET, concat(ETHERNET_IPV6, IPV6_UDP), 14 + 48),
        Arguments.of("EN10MB QinQ IPv4", LinkType.ETHERNET,
            concat(ETHERNET_QINQ_IPV4, IPV4_UDP), 22 + 28),
        Arguments.of("EN10MB IPv4 IHL 6", LinkType.ETHERNET,
            concat(ETHERNET_IPV4, IPV4_OPTIONS_IHL6_UDP), 14 + 32),
        Arguments.of("EN10MB IPv6 extensions", LinkType.ETHERNET,
            concat(ETHERNET_IPV6, IPV6_EXTENSIONS_UDP), 14 + IPV6_EXTENSIONS_UDP_NEEDED),
        Arguments.of("LINUX_SLL IPv4", LinkType.LINUX_SLL, concat(SLL_IPV4, IPV4_UDP), 16 + 28),
        Arguments.of("LINUX_SLL IPv6 routing", LinkType.LINUX_SLL,
            concat(SLL_IPV6, IPV6_ROUTING_LONG_OPTIONS_UDP), 16 + 40 + 24 + 16 + 8),
        Arguments.of("LINUX_SLL2 IPv4", LinkType.LINUX_SLL2, concat(SLL2_IPV4, IPV4_UDP), 20 + 28),
        Arguments.of("LINUX_SLL2 IPv6", LinkType.LINUX_SLL2, concat(SLL2_IPV6, IPV6_UDP), 20 + 48),
        Arguments.of("NULL IPv4", LinkType.NULL, concat(NULL_LE_INET, IPV4_UDP), 4 + 28),
        Arguments.of("NULL IPv6", LinkType.NULL, concat(NULL_LE_INET6_LINUX, IPV6_UDP), 4 + 48),
        Arguments.of("LOOP IPv4", LinkType.LOOP, concat(LOOP_INET, IPV4_UDP), 4 + 28),
        Arguments.of("LOOP IPv6", LinkType.LOOP, concat(LOOP_INET6, IPV6_UDP), 4 + 48),
        Arguments.of("RAW IPv4", LinkType.RAW, IPV4_UDP, IPV4_UDP_NEEDED),
        Arguments.of("RAW DLT 12 IPv6", LinkType.RAW_DLT12, IPV6_UDP, IPV6_UDP_NEEDED),
        Arguments.of("RAW DLT 14 IPv4", LinkType.RAW_DLT14, IPV4_UDP, IPV4_UDP_NEEDED),
        Arguments.of("IPV4", LinkType.IPV4, IPV4_OPTIONS_IHL15_UDP, 60 + 8),
        Arguments.of("IPV6", LinkType.IPV6, IPV6_EXTENSIONS_UDP, IPV6_EXTENSIONS_UDP_NEEDED));
  }

  /**
   * Every prefix of a valid frame is TRUNCATED until the UDP header is complete, then UDP. The
   * prefix is given by {@code length} over the whole frame, so reading one byte too far would
   * find real data and decode: the decoder must stop at {@code length}, not at the array.
   */
  @ParameterizedTest(name = "{0}") @MethodSource("validFrames")
  void truncatedAtEveryLength(String name, int linkType, byte[] frame, int needed) {
    for (int length = 0; length <= frame.length; length++) {
      DecodeOutcome outcome = FrameDecoder.decode(linkType, frame, 0, length, clear(out));
      byte[] exact = Arrays.copyOf(frame, length);
      DecodeOutcome copied = FrameDecoder.decode(linkType, exact, 0, length, null);
      DecodeOutcome expected = length < needed ? DecodeOutcome.TRUNCATED : DecodeOutcome.UDP;
      assertEquals(expected, outcome, name + ", " + length + " bytes");
      assertEquals(expected, copied, name + ", " + length + " bytes, exact array");
    }
  }

  /** A frame in the middle of a larger buffer full of garbage that would decode differently. */
  @ParameterizedTest(name = "{0}") @MethodSource("validFrames")
  void frameAtAnOffsetInsideALargerArray(String name, int linkType, byte[] frame, int needed) {
    for (int offset : new int[] {1, 7, 64}) {
      byte[] buffer = new byte[offset + frame.length + 50];
      Arrays.fill(buffer, (byte) 0xff);
      System.arraycopy(frame, 0, buffer, offset, frame.length);
      DecodeOutcome outcome = FrameDecoder.decode(linkType, buffer, offset, frame.length, clear(out));
      if (linkType == LinkType.IPV6 || name.contains("IPv6")) {
        assertIpv6Knock(outcome);
      } else {
        assertIpv4Knock(outcome);
      }
      assertEquals(DecodeOutcome.TRUNCATED,
          FrameDecoder.decode(linkType, buffer, offset, needed - 1, clear(out)), name + " @" + offset);
    }
  }

  @Test void rangesOutsideTheArrayAreTruncated() {
    byte[] frame = concat(ETHERNET_IPV4, IPV4_UDP);
    int n = frame.length;
    int[][] ranges = {
      {-1, n}, {0, -1}, {0, n + 1}, {1, n}, {n, 1}, {n + 1, 0}, {-1, 0},
      {Integer.MIN_VALUE, n}, {0, Integer.MAX_VALUE}, {Integer.MAX_VALUE, Integer.MAX_VALUE},
      {Integer.MAX_VALUE, 1}, {1, Integer.MAX_VALUE}, {Integer.MIN_VALUE, Integer.MIN_VALUE},
      {n, 0}, {0, 0},
    };
    for (int[] range : ranges) {
      for (int linkType : LINK_TYPES) {
        assertEquals(DecodeOutcome.TRUNCATED,
            FrameDecoder.decode(linkType, frame, range[0], range[1], out),
            LinkType.name(linkType) + " " + Arrays.toString(range));
      }
    }
    assertEquals(DecodeOutcome.TRUNCATED, FrameDecoder.decode(LinkType.ETHERNET, null, 0, 0, out));
    assertEquals(DecodeOutcome.TRUNCATED,
        FrameDecoder.decode(LinkType.ETHERNET, new byte[0], 0, 0, out));
  }

  @Test void nullOutputOnlyClassifies() {
    assertEquals(DecodeOutcome.UDP,
        FrameDecoder.decode(LinkType.ETHERNET, concat(ETHERNET_IPV4, IPV4_UDP), 0, 47, null));
    assertEquals(DecodeOutcome.UDP, FrameDecoder.decode(LinkType.RAW, IPV6_UDP, 0, 53, null));
    assertEquals(DecodeOutcome.NOT_UDP, FrameDecoder.decode(LinkType.RAW, IPV6_TCP_SYN, 0, 60, null));
  }

  // ---------------------------------------------------------------------------------------
  // Robustness.

  /**
   * Random frames for every link type, half of them behind a valid link and IP header so that
   * the deeper layers see garbage too. Nothing may throw, and bytes outside
   * {@code [offset, offset + length)} must not change the result.
   */
  @Test void randomBytesNeverThrowAndStayInsideTheirRange() {
    Random random = new Random(20240611L);
    Datagram inside = new Datagram();
    int[] linkTypes = Arrays.copyOf(LINK_TYPES, LINK_TYPES.length + 1);
    linkTypes[LINK_TYPES.length] = 147; // a DLT_USER type nobody decodes
    int udp = 0;
    for (int linkType : linkTypes) {
      byte[][] prefixes = validPrefixes(linkType);
      for (int i = 0; i < 200_000; i++) {
        byte[] frame = new byte[random.nextInt(160)];
        random.nextBytes(frame);
        int offset = random.nextInt(Math.min(frame.length, 16) + 1);
        int length = random.nextInt(4) == 0
            ? random.nextInt(frame.length - offset + 1)
            : frame.length - offset;
        if (random.nextBoolean()) {
          byte[] prefix = prefixes[random.nextInt(prefixes.length)];
          System.arraycopy(prefix, 0, frame, offset, Math.min(prefix.length, frame.length - offset));
        }
        DecodeOutcome outcome = FrameDecoder.decode(linkType, frame, offset, length, clear(inside));
        assertNotNull(outcome);
        if (outcome == DecodeOutcome.UDP) udp++;

        // The same bytes, with everything outside the range scribbled over.
        byte[] scribbled = frame.clone();
        for (int j = 0; j < scribbled.length; j++) {
          if (j < offset || j >= offset + length) scribbled[j] = (byte) random.nextInt();
        }
        DecodeOutcome again = FrameDecoder.decode(linkType, scribbled, offset, length, clear(out));
        assertEquals(outcome, again,
            () -> "range " + offset + "+" + length + " of " + Arrays.toString(frame));
        if (outcome == DecodeOutcome.UDP) assertSameDatagram(inside, out);

        // Ranges reaching outside the array.
        FrameDecoder.decode(linkType, frame, random.nextInt(), random.nextInt(), out);
        int pastTheEnd = frame.length - offset + 1 + random.nextInt(8);
        FrameDecoder.decode(linkType, frame, offset, pastTheEnd, out);
      }
    }
    assertTrue(udp > 10_000, "the random frames reached UDP only " + udp + " times");
  }

  /** Decoding allocates nothing: a million frames must not allocate even a byte each. */
  @Test void decodingDoesNotAllocate() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no allocation counter");
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
    byte[][] frames = {
      concat(ETHERNET_QINQ_IPV4, IPV4_UDP), concat(ETHERNET_IPV6, IPV6_EXTENSIONS_UDP),
      concat(NULL_BE_INET, IPV4_ICMP_PORT_UNREACHABLE), IPV6_NON_FIRST_FRAGMENT,
    };
    int[] linkTypes = {LinkType.ETHERNET, LinkType.ETHERNET, LinkType.NULL, LinkType.RAW};
    int udp = 0;
    for (int warmUp = 0; warmUp < 100_000; warmUp++) {
      udp += countUdp(frames, linkTypes);
    }
    long threadId = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(threadId);
    for (int i = 0; i < 250_000; i++) {
      udp += countUdp(frames, linkTypes);
    }
    long allocated = threads.getThreadAllocatedBytes(threadId) - before;
    assertEquals(700_000, udp);
    assertTrue(allocated < 100_000, "1M decodes allocated " + allocated + " bytes");
  }

  private int countUdp(byte[][] frames, int[] linkTypes) {
    int udp = 0;
    for (int i = 0; i < frames.length; i++) {
      if (FrameDecoder.decode(linkTypes[i], frames[i], 0, frames[i].length, out) == DecodeOutcome.UDP) {
        udp++;
      }
    }
    return udp;
  }

  // ---------------------------------------------------------------------------------------
  // Helpers.

  /** Decodes the whole array into {@link #out}, first filled with values no frame here holds. */
  private DecodeOutcome decode(int linkType, byte[] frame) {
    return FrameDecoder.decode(linkType, frame, 0, frame.length, clear(out));
  }

  private static Datagram clear(Datagram d) {
    d.ipv6 = !d.ipv6;
    d.sourceHi = d.sourceLo = d.destinationHi = d.destinationLo = 0x5555_5555_5555_5555L;
    d.sourcePort = d.destinationPort = -1;
    return d;
  }

  /** 192.168.1.10:40000 -> 192.168.1.1:12001. */
  private void assertIpv4Knock(DecodeOutcome outcome) {
    assertEquals(DecodeOutcome.UDP, outcome);
    assertFalse(out.ipv6, "ipv6");
    assertEquals(0L, out.sourceHi, "sourceHi");
    assertEquals(V4_KNOCKER_LO, out.sourceLo, "sourceLo");
    assertEquals(0L, out.destinationHi, "destinationHi");
    assertEquals(V4_SERVER_LO, out.destinationLo, "destinationLo");
    assertEquals(KNOCKER_PORT, out.sourcePort, "sourcePort");
    assertEquals(V4_KNOCK_PORT, out.destinationPort, "destinationPort");
  }

  /** [2001:db8:1:2:3:4:5:6]:40000 -> [2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:12002. */
  private void assertIpv6Knock(DecodeOutcome outcome) {
    assertEquals(DecodeOutcome.UDP, outcome);
    assertTrue(out.ipv6, "ipv6");
    assertEquals(V6_KNOCKER_HI, out.sourceHi, "sourceHi");
    assertEquals(V6_KNOCKER_LO, out.sourceLo, "sourceLo");
    assertEquals(V6_SERVER_HI, out.destinationHi, "destinationHi");
    assertEquals(V6_SERVER_LO, out.destinationLo, "destinationLo");
    assertEquals(KNOCKER_PORT, out.sourcePort, "sourcePort");
    assertEquals(V6_KNOCK_PORT, out.destinationPort, "destinationPort");
  }

  static void assertSameDatagram(Datagram expected, Datagram actual) {
    assertEquals(expected.ipv6, actual.ipv6, "ipv6");
    assertEquals(expected.sourceHi, actual.sourceHi, "sourceHi");
    assertEquals(expected.sourceLo, actual.sourceLo, "sourceLo");
    assertEquals(expected.destinationHi, actual.destinationHi, "destinationHi");
    assertEquals(expected.destinationLo, actual.destinationLo, "destinationLo");
    assertEquals(expected.sourcePort, actual.sourcePort, "sourcePort");
    assertEquals(expected.destinationPort, actual.destinationPort, "destinationPort");
  }

  /** An IPv6 UDP packet behind {@code count} 8-byte destination options headers. */
  private static byte[] ipv6WithDestinationOptions(int count) {
    StringBuilder options = new StringBuilder();
    for (int i = 0; i < count; i++) {
      String next = i == count - 1 ? "11" : "3c"; // UDP after the last, else another one
      options.append(next).append(" 00 01 04 00 00 00 00"); // 8 bytes, PadN(4)
    }
    int payloadLength = 8 * count + 13;
    return hex("60 00 00 00"
        + String.format("%04x", payloadLength) + "3c 40" // next header 60 (destination options)
        + V6_KNOCKER + V6_SERVER + options + UDP6_KNOCK);
  }

  /** Link and IP headers that lead the random test past the link layer for each link type. */
  private static byte[][] validPrefixes(int linkType) {
    List<byte[]> prefixes = new ArrayList<>();
    switch (linkType) {
      case LinkType.ETHERNET:
        prefixes.add(concat(ETHERNET_IPV4, IPV4_UDP));
        prefixes.add(concat(ETHERNET_QINQ_IPV4, IPV4_OPTIONS_IHL6_UDP));
        prefixes.add(Arrays.copyOf(concat(ETHERNET_IPV6, IPV6_EXTENSIONS_UDP), 14 + 44));
        prefixes.add(Arrays.copyOf(concat(ETHERNET_IPV6, IPV6_UDP), 14 + 40));
        break;
      case LinkType.LINUX_SLL:
        prefixes.add(Arrays.copyOf(concat(SLL_IPV4, IPV4_UDP), 16 + 20));
        prefixes.add(Arrays.copyOf(concat(SLL_IPV6, IPV6_UDP), 16 + 40));
        break;
      case LinkType.LINUX_SLL2:
        prefixes.add(Arrays.copyOf(concat(SLL2_IPV4, IPV4_UDP), 20 + 20));
        prefixes.add(Arrays.copyOf(concat(SLL2_IPV6, IPV6_EXTENSIONS_UDP), 20 + 48));
        break;
      case LinkType.NULL:
        prefixes.add(Arrays.copyOf(concat(NULL_BE_INET, IPV4_UDP), 4 + 20));
        prefixes.add(Arrays.copyOf(concat(NULL_LE_INET6_LINUX, IPV6_UDP), 4 + 40));
        break;
      case LinkType.LOOP:
        prefixes.add(Arrays.copyOf(concat(LOOP_INET, IPV4_UDP), 4 + 20));
        prefixes.add(Arrays.copyOf(concat(LOOP_INET6, IPV6_EXTENSIONS_UDP), 4 + 40));
        break;
      default:
        prefixes.add(Arrays.copyOf(IPV4_UDP, 12)); // first 12 bytes; addresses random
        prefixes.add(Arrays.copyOf(IPV4_OPTIONS_IHL6_UDP, 20));
        prefixes.add(Arrays.copyOf(IPV6_UDP, 8)); // first 8 bytes; addresses random
        prefixes.add(Arrays.copyOf(IPV6_EXTENSIONS_UDP, 48));
    }
    return prefixes.toArray(new byte[0][]);
  }
}
