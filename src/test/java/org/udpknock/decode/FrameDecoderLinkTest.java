package org.udpknock.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.udpknock.fixtures.Packets.ARPHRD_ETHER;
import static org.udpknock.fixtures.Packets.ARPHRD_LOOPBACK;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.udpknock.fixtures.Packets;

/** What the decoder reports of the link a frame came in on: index, loopback or not, VLAN ids. */
class FrameDecoderLinkTest {
  private static final byte[] KNOCK = Packets.udpKnock("10.0.0.1", "192.0.2.10", 40000, 12001);
  private final Datagram out = new Datagram();

  private void decode(int linkType, byte[] frame) {
    assertEquals(DecodeOutcome.UDP, FrameDecoder.decode(linkType, frame, 0, frame.length, out));
  }

  @Test
  void sll2GivesTheInterfaceIndexAndHardwareType() {
    decode(LinkType.LINUX_SLL2, Packets.linuxSll2(KNOCK, 0x01020304, ARPHRD_ETHER));
    assertEquals(0x01020304, out.interfaceIndex);
    assertEquals(LinkKind.OTHER, out.linkKind);
    decode(LinkType.LINUX_SLL2, Packets.linuxSll2(KNOCK, 1, ARPHRD_LOOPBACK));
    assertEquals(1, out.interfaceIndex);
    assertEquals(LinkKind.LOOPBACK, out.linkKind);
  }

  @Test
  void sllHasNoIndexButAHardwareType() {
    decode(LinkType.LINUX_SLL, Packets.linuxSll(KNOCK)); // ARPHRD_LOOPBACK
    assertEquals(0, out.interfaceIndex);
    assertEquals(LinkKind.LOOPBACK, out.linkKind);
  }

  @Test
  void bsdLoopbackIsLoopbackAndEthernetDoesNotSay() {
    decode(LinkType.NULL, Packets.nullLoopback(2, true, KNOCK));
    assertEquals(LinkKind.LOOPBACK, out.linkKind);
    decode(LinkType.ETHERNET, Packets.ethernet(KNOCK));
    assertEquals(LinkKind.UNKNOWN, out.linkKind);
    assertEquals(0, out.interfaceIndex);
    assertEquals(0, out.vlanCount);
  }

  @Test
  void vlanIdsOutermostFirst() {
    byte[] frame = Packets.concat(Frames.hex("00 00 00 00 00 00 00 00 00 00 00 00"
        + " 88 a8 20 64  81 00 e0 05  08 00"), KNOCK); // 802.1ad VLAN 100 (PCP 1), 802.1Q VLAN 5 (PCP 7)
    decode(LinkType.ETHERNET, frame);
    assertEquals(2, out.vlanCount);
    assertArrayEquals(new int[] {100, 5}, Arrays.copyOf(out.vlanIds, 2));
    decode(LinkType.ETHERNET, Packets.ethernet(KNOCK));
    assertEquals(0, out.vlanCount, "a frame without tags forgets the tags of the one before");
  }

  /** {@link CaptureFilter} passes the headers listed in IPV6_WALKED_HEADERS: exactly those the decoder walks. */
  @Test
  void theListOfWalkedExtensionHeadersIsTheDecoders() {
    for (int next = 0; next < 256; next++) {
      if (next == HeaderLayout.IPPROTO_UDP) {
        continue;
      }
      byte[] packet = Packets.ipv6(Packets.address("2001:db8::1"), Packets.address("2001:db8::10"), next, new byte[64]);
      boolean walked = FrameDecoder.decode(LinkType.RAW, packet, 0, packet.length, out) != DecodeOutcome.NOT_UDP;
      int header = next;
      boolean listed = Arrays.stream(HeaderLayout.IPV6_WALKED_HEADERS).anyMatch(h -> h == header);
      assertEquals(walked, listed, "next header " + next);
    }
  }
}
