package org.udpknock.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.udpknock.fixtures.Packets.address;
import static org.udpknock.fixtures.Packets.extension;
import static org.udpknock.fixtures.Packets.fragmentHeader;

import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.udpknock.auth.AuthPayload;
import org.udpknock.capture.PcapCapture;
import org.udpknock.fixtures.Packets;

/** Where the UDP payload is: bounded by the capture and by the UDP length field. */
class FrameDecoderPayloadTest {
  private static final byte[] PAYLOAD = new byte[AuthPayload.LENGTH];

  static {
    for (int i = 0; i < PAYLOAD.length; i++) {
      PAYLOAD[i] = (byte) (i + 1);
    }
  }

  private final Datagram out = new Datagram();

  private static byte[] ipv4(byte[] payload) {
    byte[] src = address("10.0.0.1");
    byte[] dst = address("192.0.2.10");
    return Packets.ipv4(src, dst, Packets.PROTO_UDP, Packets.udp(src, dst, 40001, 12001, payload));
  }

  private static byte[] ipv6WithExtensions(byte[] payload) {
    byte[] src = address("2001:db8::1");
    byte[] dst = address("2001:db8::10");
    // Hop-by-hop (8), routing (24), destination options (8), fragment (8): 48 bytes.
    return Packets.ipv6(src, dst, Packets.PROTO_UDP, Packets.udp(src, dst, 40001, 12001, payload),
        extension(0, 43, 0), extension(43, 60, 2), extension(60, 44, 0),
        fragmentHeader(Packets.PROTO_UDP, 0, false, 5));
  }

  private DecodeOutcome decode(int linkType, byte[] frame, int captured) {
    return FrameDecoder.decode(linkType, frame, 0, captured, out);
  }

  private void assertWholePayloadAt(byte[] frame) {
    assertTrue(out.payloadComplete);
    assertEquals(PAYLOAD.length, out.payloadLength);
    assertArrayEquals(PAYLOAD, Arrays.copyOfRange(frame, out.payloadOffset, out.payloadOffset + out.payloadLength));
  }

  @Test
  void ipv4OverEthernet() {
    byte[] frame = Packets.ethernet(ipv4(PAYLOAD));
    assertEquals(DecodeOutcome.UDP, decode(LinkType.ETHERNET, frame, frame.length));
    assertEquals(14 + 20 + 8, out.payloadOffset);
    assertWholePayloadAt(frame);
  }

  @Test
  void ipv6WithExtensionHeadersOverEveryLinkType() {
    byte[] packet = ipv6WithExtensions(PAYLOAD);
    for (byte[] frame : new byte[][] {Packets.ethernet(packet, 0x88a8, 0x8100), Packets.linuxSll(packet),
        Packets.linuxSll2(packet), Packets.nullLoopback(10, true, packet), packet}) {
      int linkType = frame == packet ? LinkType.RAW : linkTypeOf(frame, packet);
      assertEquals(DecodeOutcome.UDP, decode(linkType, frame, frame.length));
      assertEquals(frame.length - PAYLOAD.length, out.payloadOffset);
      assertWholePayloadAt(frame);
    }
  }

  private static int linkTypeOf(byte[] frame, byte[] packet) {
    int header = frame.length - packet.length;
    if (header == 16) return LinkType.LINUX_SLL;
    if (header == 20) return LinkType.LINUX_SLL2;
    if (header == 4) return LinkType.NULL;
    return LinkType.ETHERNET;
  }

  @Test
  void ethernetPaddingIsNotPayload() {
    byte[] frame = Arrays.copyOf(Packets.ethernet(ipv4(new byte[] {7, 7})), 60); // padded to 60
    assertEquals(DecodeOutcome.UDP, decode(LinkType.ETHERNET, frame, frame.length));
    assertEquals(2, out.payloadLength);
    assertTrue(out.payloadComplete);
  }

  @Test
  void aShortCaptureGivesWhatWasCapturedAndSaysItIsIncomplete() {
    byte[] frame = Packets.ethernet(ipv4(PAYLOAD));
    for (int missing = 1; missing <= PAYLOAD.length; missing++) {
      assertEquals(DecodeOutcome.UDP, decode(LinkType.ETHERNET, frame, frame.length - missing));
      assertEquals(PAYLOAD.length - missing, out.payloadLength, "missing " + missing);
      assertFalse(out.payloadComplete, "missing " + missing);
    }
  }

  @Test
  void aUdpLengthFieldPastTheIpPacketOrBelowTheHeaderGivesNoPayload() {
    byte[] frame = Packets.ethernet(ipv4(PAYLOAD));
    int udpLength = 14 + 20 + 4;
    for (int length : new int[] {0, 7, 8 + PAYLOAD.length + 1, 65535}) {
      frame[udpLength] = (byte) (length >>> 8);
      frame[udpLength + 1] = (byte) length;
      assertEquals(DecodeOutcome.UDP, decode(LinkType.ETHERNET, frame, frame.length), "ports still count");
      assertEquals(0, out.payloadLength, "UDP length " + length);
      assertFalse(out.payloadComplete, "UDP length " + length);
    }
    frame[udpLength + 1] = (byte) (8 + 10); // shorter than the packet: the payload ends there
    frame[udpLength] = 0;
    decode(LinkType.ETHERNET, frame, frame.length);
    assertEquals(10, out.payloadLength);
    assertTrue(out.payloadComplete);
  }

  /**
   * The server captures {@value PcapCapture#SNAPLEN} bytes per frame. An authenticated knock in
   * the worst framing we decode (Ethernet with 8 VLAN tags) over IPv6 with a typical extension
   * chain (48 bytes) still fits whole, with this much room to spare for longer chains.
   */
  @Test
  void theServersSnaplenHoldsAWholeAuthenticatedKnock() {
    byte[] packet = ipv6WithExtensions(PAYLOAD);
    String eightTags = "81 00 00 64".repeat(8);
    byte[] frame = Frames.concat(Frames.hex("00".repeat(12) + eightTags + "86 dd"), packet);
    assertTrue(frame.length <= PcapCapture.SNAPLEN, "frame of " + frame.length + " bytes");
    assertEquals(200, frame.length); // 14 + 32 + 40 + 48 + 8 + 58: 56 bytes to spare
    for (UnaryOperator<byte[]> link : java.util.List.<UnaryOperator<byte[]>>of(Packets::linuxSll2,
        Packets::linuxSll, p -> Packets.nullLoopback(10, true, p))) {
      assertTrue(link.apply(packet).length <= frame.length);
    }
    assertEquals(DecodeOutcome.UDP, decode(LinkType.ETHERNET, frame, Math.min(frame.length, PcapCapture.SNAPLEN)));
    assertWholePayloadAt(frame);
  }
}
