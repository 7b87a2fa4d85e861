package org.udpknock.decode;

import jdk.internal.vm.annotation.Contended;

/**
 * The addresses, ports and payload position of one decoded UDP datagram. Mutable and reused from frame to frame,
 * so that decoding allocates nothing.
 *
 * <p>Addresses are 128-bit values split into two longs; an IPv4 address is stored in its
 * IPv4-mapped IPv6 form {@code ::ffff:a.b.c.d}, so one key type serves both families.
 */
// Padded from its neighbours in memory (false sharing): written at every frame by
// the thread that reads a capture; see BatchedReplay.
@Contended
public final class Datagram {
  /** Upper 64 bits of the IPv4-mapped prefix {@code ::ffff:0:0/96}: zero. */
  public static final long IPV4_MAPPED_HI = 0L;
  /** Bits 64..95 of an IPv4-mapped address; the IPv4 address fills the low 32 bits. */
  public static final long IPV4_MAPPED_LO_PREFIX = 0x0000_FFFF_0000_0000L;

  public boolean ipv6;
  public long sourceHi;
  public long sourceLo;
  public long destinationHi;
  public long destinationLo;
  public int sourcePort;
  public int destinationPort;
  /** Index in the frame array of the first byte of the UDP payload. */
  public int payloadOffset;
  /**
   * Payload bytes that were captured and lie within the UDP length field (itself within the IP
   * packet): never past the capture, never into Ethernet padding.
   */
  public int payloadLength;
  /** True when the UDP length field is sane and the whole payload it declares was captured. */
  public boolean payloadComplete;
  /** The interface index from a LINUX_SLL2 header; 0 when the link header carries none. */
  public int interfaceIndex;
  /** What the link header says about the interface. */
  public LinkKind linkKind = LinkKind.UNKNOWN;
  /** VLAN tags of an Ethernet frame, outermost first: {@code vlanIds[0..vlanCount)}. */
  public int vlanCount;
  /** The 12-bit VLAN ids of the tags. */
  public final int[] vlanIds = new int[HeaderLayout.MAX_VLAN_TAGS];

  /** Forgets the link facts of the previous frame. */
  void clearLink() {
    interfaceIndex = 0;
    linkKind = LinkKind.UNKNOWN;
    vlanCount = 0;
  }

  /** Sets both addresses from IPv4 addresses held in the low 32 bits of each int. */
  public void setIpv4(int source, int destination) {
    ipv6 = false;
    sourceHi = IPV4_MAPPED_HI;
    sourceLo = IPV4_MAPPED_LO_PREFIX | (source & 0xFFFF_FFFFL);
    destinationHi = IPV4_MAPPED_HI;
    destinationLo = IPV4_MAPPED_LO_PREFIX | (destination & 0xFFFF_FFFFL);
  }
}
