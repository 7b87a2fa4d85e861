package org.udpknock.decode;

import java.net.InetAddress;
import org.pcap4j.packet.BsdLoopbackPacket;
import org.pcap4j.packet.Dot1qVlanTagPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.FragmentedPacket;
import org.pcap4j.packet.IllegalPacket;
import org.pcap4j.packet.IpPacket;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.LinuxSllPacket;
import org.pcap4j.packet.LlcPacket;
import org.pcap4j.packet.SnapPacket;
import org.pcap4j.packet.IpV6ExtDestinationOptionsPacket;
import org.pcap4j.packet.IpV6ExtFragmentPacket;
import org.pcap4j.packet.IpV6ExtHopByHopOptionsPacket;
import org.pcap4j.packet.IpV6ExtOptionsPacket;
import org.pcap4j.packet.IpV6ExtRoutingPacket;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.UdpPacket;
import org.pcap4j.packet.factory.PacketFactories;
import org.pcap4j.packet.factory.PacketFactory;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * pcap4j's full packet factory as an oracle for {@link FrameDecoder}: wherever pcap4j cleanly
 * finds a UDP header directly inside the outermost IP packet, the decoder must find the same
 * addresses and ports; wherever the decoder finds UDP, pcap4j must too, except where pcap4j is
 * known to stop short. Each known disagreement is named by an excuse below.
 *
 * <p>pcap4j decodes EN10MB, LINUX_SLL, NULL and RAW. Frames of the other link types are
 * rewritten into an equivalent one it knows (SLL2 to SLL, LOOP to NULL, IPV4/IPV6 to RAW).
 * Shared by {@link FrameDecoderDifferentialTest} and {@link FrameDecoderFuzzTest}.
 */
final class Pcap4jOracle {
  static {
    // pcap4j logs an ERROR with a stack trace for every IPv4 header whose options it cannot
    // parse; the tests feed it such headers on purpose. Must be set before pcap4j loads it.
    System.setProperty("org.slf4j.simpleLogger.log.org.pcap4j.packet.IpV4Packet$IpV4Header", "off");
  }

  static final PacketFactory<Packet, DataLinkType> FACTORY =
      PacketFactories.getFactory(Packet.class, DataLinkType.class);

  private Pcap4jOracle() {}

  /** How one frame compared. */
  enum Verdict {
    /** Both found UDP, with the same addresses and ports. */
    SAME_UDP,
    /** Neither found UDP. */
    BOTH_NOT_UDP,
    /** pcap4j decoded an IllegalPacket on the way: it has no opinion. */
    PCAP4J_ILLEGAL,
    /** pcap4j threw on this frame: its own failure, not the decoder's. */
    PCAP4J_THREW,
    /** A link type pcap4j cannot decode, even rewritten. */
    NOT_COMPARABLE,
    /** A disagreement listed among the known ones; {@link Comparison#detail} names it. */
    EXCUSED,
    /** A disagreement nobody explained: a bug on one side. */
    MISMATCH,
  }

  /**
   * The verdict on one frame; {@code detail} is the excuse or the mismatch, {@code packet}
   * pcap4j's decoding when there is one.
   */
  record Comparison(Verdict verdict, String detail, Packet packet) {
    static Comparison of(Verdict verdict) {
      return new Comparison(verdict, null, null);
    }
  }

  /** A frame as pcap4j is asked to decode it. */
  private record View(int linkType, byte[] frame) {}

  /**
   * Compares the decoder's {@code outcome} and {@code ours} (filled in by {@code
   * FrameDecoder.decode(linkType, frame, 0, frame.length, ours)}) with pcap4j on the same frame.
   */
  static Comparison compare(int linkType, byte[] frame, DecodeOutcome outcome, Datagram ours) {
    View view = pcap4jView(linkType, frame);
    if (view == null) return Comparison.of(Verdict.NOT_COMPARABLE);
    Packet packet;
    try {
      packet = FACTORY.newInstance(view.frame, 0, view.frame.length,
          DataLinkType.getInstance(view.linkType));
    } catch (Exception | AssertionError e) { // crafted input can trip pcap4j itself
      return Comparison.of(Verdict.PCAP4J_THREW);
    }
    Found found = Found.in(packet);
    if (found.illegal) return Comparison.of(Verdict.PCAP4J_ILLEGAL);
    if (found.udp != null) {
      if (outcome != DecodeOutcome.UDP) {
        return excusedOrMismatch(whyDecoderFoundNoUdp(found, outcome),
            "pcap4j found UDP, decoder said " + outcome, packet);
      }
      if (!sameDatagram(found, ours)) {
        // With a missized extension, pcap4j read its "UDP header" from the wrong place.
        return excusedOrMismatch(found.missizedExtension ? MISSIZED_EXTENSION : null,
            "pcap4j found other addresses or ports than the decoder", packet);
      }
      return Comparison.of(Verdict.SAME_UDP);
    }
    if (outcome == DecodeOutcome.UDP) {
      return excusedOrMismatch(whyPcap4jFoundNoUdp(found, packet),
          "decoder found UDP, pcap4j did not", packet);
    }
    return Comparison.of(Verdict.BOTH_NOT_UDP);
  }

  private static Comparison excusedOrMismatch(String excuse, String mismatch, Packet packet) {
    return excuse != null
        ? new Comparison(Verdict.EXCUSED, excuse, packet)
        : new Comparison(Verdict.MISMATCH, mismatch, packet);
  }


  /**
   * pcap4j sizes hop-by-hop and destination options headers by the options it managed to
   * parse, not by their Hdr Ext Len: an option it cannot parse (a zero-length PadN, an option
   * running past the header) ends the header early, and the rest is read as the next header.
   */
  static final String MISSIZED_EXTENSION =
      "pcap4j sizes an IPv6 options header by the options it parsed, not by Hdr Ext Len";

  /**
   * IPv4 protocols 0, 43, 44 and 60 are IPv6 extension headers, meaningless after an IPv4
   * header: the decoder stops there (not UDP), pcap4j walks them as in IPv6 to a UDP header.
   */
  static final String IP_IN_LLC =
      "pcap4j reads IP carried in 802.2 LLC/SNAP framing; the decoder knows only Ethernet II (EtherType) framing";

  static final String IPV6_HEADERS_IN_IPV4 =
      "pcap4j walks IPv6 extension headers after an IPv4 header";

  /**
   * The decoder walks at most {@link HeaderLayout#MAX_VLAN_TAGS} stacked tags and {@link
   * HeaderLayout#MAX_IPV6_EXTENSION_HEADERS} IPv6 extension headers, far more than real
   * traffic carries, and calls a longer chain malformed, so that crafted frames cost little;
   * pcap4j walks any number.
   */
  static final String CHAIN_TOO_LONG =
      "the decoder bounds VLAN tags and IPv6 extension headers; pcap4j walks any number";

  /**
   * Where pcap4j reads a UDP header from a packet the decoder rejects as malformed: returns
   * the reason, or null when the decoder should have found it.
   */
  private static String whyDecoderFoundNoUdp(Found found, DecodeOutcome outcome) {
    if (found.missizedExtension) return MISSIZED_EXTENSION;
    if (found.llc) return IP_IN_LLC;
    if (found.ip instanceof IpV4Packet && found.extensionHeaders > 0) {
      return IPV6_HEADERS_IN_IPV4;
    }
    if (outcome != DecodeOutcome.MALFORMED) return null;
    if (found.vlanTags > HeaderLayout.MAX_VLAN_TAGS
        || found.extensionHeaders > HeaderLayout.MAX_IPV6_EXTENSION_HEADERS) {
      return CHAIN_TOO_LONG;
    }
    byte[] ip = found.ip.getRawData();
    int version = found.ip instanceof IpV4Packet ? 4 : 6;
    if ((ip[0] & 0xf0) >>> 4 != version) {
      return "pcap4j does not check the IP version nibble";
    }
    // The decoder rejects a total length below the header length, as the kernel does.
    if (found.ip instanceof IpV4Packet && ip[2] == 0 && ip[3] == 0) {
      return "pcap4j reads IPv4 total length 0 (as with TSO) as 'to the end of the capture'";
    }
    return null;
  }

  /**
   * Where the decoder finds a UDP header that pcap4j, by design or limitation, does not:
   * returns the reason, or null when pcap4j should have found it.
   */
  private static String whyPcap4jFoundNoUdp(Found found, Packet packet) {
    if (found.missizedExtension) return MISSIZED_EXTENSION;
    if (found.fragmented) {
      return "pcap4j does not look into a first fragment (MF set, offset 0)";
    }
    if (found.ip == null && found.linkType >= 0 && isTagPcap4jDoesNotKnow(found.linkType)) {
      return "pcap4j knows only 802.1Q tags, not 0x88a8 or 0x9100";
    }
    BsdLoopbackPacket loopback = packet.get(BsdLoopbackPacket.class);
    if (found.ip == null && loopback != null) {
      int family = loopback.getHeader().getProtocolFamily().value();
      if (family != HeaderLayout.AF_INET && family != HeaderLayout.AF_INET6_LINUX) {
        return "pcap4j reads NULL families little-endian and knows only this host's AF_INET6";
      }
    }
    return null;
  }

  private static boolean isTagPcap4jDoesNotKnow(int etherType) {
    return etherType == HeaderLayout.ETHERTYPE_VLAN_8021AD
        || etherType == HeaderLayout.ETHERTYPE_VLAN_QINQ_LEGACY;
  }

  private static boolean sameDatagram(Found found, Datagram ours) {
    long[] source = addressAsLongs(found.ip.getHeader().getSrcAddr());
    long[] destination = addressAsLongs(found.ip.getHeader().getDstAddr());
    return ours.ipv6 == (found.ip instanceof IpV6Packet)
        && ours.sourceHi == source[0]
        && ours.sourceLo == source[1]
        && ours.destinationHi == destination[0]
        && ours.destinationLo == destination[1]
        && ours.sourcePort == found.udp.getHeader().getSrcPort().valueAsInt()
        && ours.destinationPort == found.udp.getHeader().getDstPort().valueAsInt();
  }

  /** An address as the decoder stores it: IPv4 (and IPv4-mapped IPv6) as ::ffff:a.b.c.d. */
  private static long[] addressAsLongs(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length == 4) {
      byte[] mapped = new byte[16];
      mapped[10] = mapped[11] = (byte) 0xff;
      System.arraycopy(bytes, 0, mapped, 12, 4);
      bytes = mapped;
    }
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < 8; i++) {
      hi = hi << 8 | (bytes[i] & 0xff);
      lo = lo << 8 | (bytes[i + 8] & 0xff);
    }
    return new long[] {hi, lo};
  }

  /** What pcap4j found, reduced to what matters to the decoder. */
  static final class Found {
    /** An IllegalPacket on the way to the UDP header: pcap4j did not decode cleanly. */
    boolean illegal;
    /** The outermost IP packet: tunnels and ICMP quotes inside it do not count. */
    IpPacket ip;
    /** The UDP packet directly inside {@link #ip}, through IPv6 extension headers. */
    UdpPacket udp;
    /** A FragmentedPacket where the UDP packet would be. */
    boolean fragmented;
    /** An IPv6 extension header that pcap4j took to be shorter or longer than it says. */
    boolean missizedExtension;
    /** The EtherType after the last Ethernet, Linux cooked or 802.1Q header, or -1. */
    int linkType = -1;
    /** How many 802.1Q tags pcap4j walked. */
    int vlanTags;
    /** How many IPv6 extension headers pcap4j walked before what follows them. */
    int extensionHeaders;
    /** pcap4j went through an 802.2 LLC or SNAP header (an 802.3 length where the EtherType goes). */
    boolean llc;

    static Found in(Packet packet) {
      Found found = new Found();
      for (Packet p = packet; p != null; p = p.getPayload()) {
        if (p instanceof IllegalPacket) {
          found.illegal = true;
          return found;
        } else if (p instanceof EthernetPacket) {
          found.linkType = ((EthernetPacket) p).getHeader().getType().value() & 0xffff;
        } else if (p instanceof LinuxSllPacket) { // Cooked frames carry VLAN tags too: the decoder walks them.
          found.linkType = ((LinuxSllPacket) p).getHeader().getProtocol().value() & 0xffff;
        } else if (p instanceof LlcPacket || p instanceof SnapPacket) {
          found.llc = true;
        } else if (p instanceof Dot1qVlanTagPacket) {
          found.vlanTags++;
          found.linkType = ((Dot1qVlanTagPacket) p).getHeader().getType().value() & 0xffff;
        } else if (p instanceof IpPacket) {
          found.ip = (IpPacket) p;
          found.inspectIpPayload(p.getPayload());
          return found;
        }
      }
      return found;
    }

    private void inspectIpPayload(Packet payload) {
      Packet inner = payload;
      while (inner instanceof IpV6ExtHopByHopOptionsPacket
          || inner instanceof IpV6ExtRoutingPacket
          || inner instanceof IpV6ExtDestinationOptionsPacket
          || inner instanceof IpV6ExtFragmentPacket) {
        missizedExtension |= declaredLength(inner) != inner.getHeader().length();
        extensionHeaders++;
        inner = inner.getPayload();
      }
      illegal = inner instanceof IllegalPacket;
      fragmented = inner instanceof FragmentedPacket;
      udp = inner instanceof UdpPacket ? (UdpPacket) inner : null;
    }
  }

  /** The length an IPv6 extension header gives itself: fragment headers are always 8 bytes. */
  private static int declaredLength(Packet extension) {
    int units;
    if (extension instanceof IpV6ExtOptionsPacket) {
      units = ((IpV6ExtOptionsPacket) extension).getHeader().getHdrExtLenAsInt();
    } else if (extension instanceof IpV6ExtRoutingPacket) {
      units = ((IpV6ExtRoutingPacket) extension).getHeader().getHdrExtLenAsInt();
    } else {
      units = 0;
    }
    return (units + 1) * 8;
  }

  /**
   * The frame as pcap4j can decode it: unchanged for the link types it knows, rewritten into an
   * equivalent one for the others, or null.
   */
  private static View pcap4jView(int linkType, byte[] frame) {
    switch (linkType) {
      case LinkType.ETHERNET:
      case LinkType.LINUX_SLL:
      case LinkType.NULL:
        return new View(linkType, frame);
      case LinkType.RAW:
      case LinkType.RAW_DLT12:
      case LinkType.RAW_DLT14:
        return new View(DataLinkType.RAW.value(), frame);
      case LinkType.IPV4:
      case LinkType.IPV6:
        // pcap4j's RAW takes either version; these link types take only their own.
        int version = linkType == LinkType.IPV4 ? 4 : 6;
        boolean sameVersion = frame.length > 0 && (frame[0] & 0xf0) >>> 4 == version;
        return sameVersion ? new View(DataLinkType.RAW.value(), frame) : null;
      case LinkType.LOOP:
        if (frame.length < 4) return null;
        byte[] asNull = frame.clone(); // NULL in pcap4j is little-endian, LOOP big-endian
        for (int i = 0; i < 4; i++) asNull[i] = frame[3 - i];
        return new View(LinkType.NULL, asNull);
      case LinkType.LINUX_SLL2:
        if (frame.length < 20) return null;
        byte[] sll = new byte[frame.length - 4];
        System.arraycopy(frame, 20, sll, 16, frame.length - 20);
        sll[14] = frame[0]; // the protocol moves from offset 0 to 14
        sll[15] = frame[1];
        return new View(LinkType.LINUX_SLL, sll);
      default:
        return null;
    }
  }
}
