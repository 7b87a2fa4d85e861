package org.udpknock.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Coverage-guided fuzzing of {@link FrameDecoder#decode}. Without {@code JAZZER_FUZZ} this runs
 * as a unit test over the seeds and saved findings in {@code
 * src/test/resources/org/udpknock/decode/FrameDecoderFuzzTestInputs/decodeAnyFrame/}; with it,
 * Jazzer mutates them (see {@code scripts/fuzz}).
 *
 * <p>An input is one selector byte choosing the link type from {@link #LINK_TYPES}, then the
 * frame. Invariants, on every input: decoding never throws; it reads only the range it is given
 * (the frame decodes the same copied into a larger array among foreign bytes); classifying
 * without a {@link Datagram} gives the same outcome; a UDP result holds ports in range and
 * addresses of the family it claims; only a link type the decoder does not know is {@code
 * UNKNOWN_LINK_TYPE}; and wherever pcap4j also decodes the frame, both agree on UDP, addresses
 * and ports, but for the disagreements {@link Pcap4jOracle} lists.
 */
public class FrameDecoderFuzzTest {
  /** Link types the decoder knows. */
  private static final int[] KNOWN = {
    LinkType.NULL, LinkType.ETHERNET, LinkType.RAW_DLT12, LinkType.RAW_DLT14, LinkType.RAW,
    LinkType.LOOP, LinkType.LINUX_SLL, LinkType.IPV4, LinkType.IPV6, LinkType.LINUX_SLL2,
  };

  /**
   * What the selector byte picks from (modulo the length): the known link types, then ones the
   * decoder must refuse: PPP, FDDI, 802.11, radiotap, the neighbours of the raw-IP and SLL2
   * numbers, the reader's "undescribed interface" -1, and the extremes.
   */
  static final int[] LINK_TYPES = concat(KNOWN, new int[] {
    9, 10, 105, 127, 13, 15, 100, 277, 0xFFFF, -1, Integer.MIN_VALUE, Integer.MAX_VALUE,
  });

  /** Bytes around the frame in the second decoding, that a read out of range would pick up. */
  private static final int PADDING = 29;
  /** What the padding repeats: an IPv4 version/IHL byte, an IPv6 version byte, UDP's number. */
  private static final byte[] HEADER_LIKE = {0x45, 0x60, 0x11};

  /** True if a selector byte picks {@code linkType}: {@link #input} can encode it. */
  public static boolean selectable(int linkType) {
    return indexOf(LINK_TYPES, linkType) >= 0;
  }

  /** The fuzz input that decodes {@code frame} as {@code linkType}, for seeds and findings. */
  public static byte[] input(int linkType, byte[] frame) {
    int selector = indexOf(LINK_TYPES, linkType);
    if (selector < 0) throw new IllegalArgumentException("no selector for link type " + linkType);
    byte[] input = new byte[frame.length + 1];
    input[0] = (byte) selector;
    System.arraycopy(frame, 0, input, 1, frame.length);
    return input;
  }

  @FuzzTest
  void decodeAnyFrame(byte[] input) {
    if (input.length == 0) return;
    int linkType = LINK_TYPES[(input[0] & 0xFF) % LINK_TYPES.length];
    byte[] frame = Arrays.copyOfRange(input, 1, input.length);

    Datagram ours = new Datagram();
    DecodeOutcome outcome = decodeOrFail(linkType, frame, 0, frame.length, ours);
    assertEquals(outcome, decodeOrFail(linkType, frame, 0, frame.length, null),
        () -> "classifying without a Datagram: " + describe(linkType, frame));
    assertEquals(indexOf(KNOWN, linkType) < 0, outcome == DecodeOutcome.UNKNOWN_LINK_TYPE,
        () -> outcome + " for " + describe(linkType, frame));
    if (outcome == DecodeOutcome.UDP) assertCoherent(ours, linkType, frame);
    assertSameInsideALargerArray(linkType, frame, outcome, ours);

    Pcap4jOracle.Comparison comparison = Pcap4jOracle.compare(linkType, frame, outcome, ours);
    if (comparison.verdict() == Pcap4jOracle.Verdict.MISMATCH) {
      fail(comparison.detail() + ": " + describe(linkType, frame) + "\n" + comparison.packet());
    }
  }

  private static DecodeOutcome decodeOrFail(
      int linkType, byte[] frame, int offset, int length, Datagram out) {
    DecodeOutcome outcome;
    try {
      outcome = FrameDecoder.decode(linkType, frame, offset, length, out);
    } catch (RuntimeException e) {
      throw new AssertionError("decode threw on " + describe(linkType, frame), e);
    }
    assertNotNull(outcome, () -> "no outcome for " + describe(linkType, frame));
    return outcome;
  }

  private static void assertCoherent(Datagram d, int linkType, byte[] frame) {
    assertTrue(d.sourcePort >= 0 && d.sourcePort <= 0xFFFF
        && d.destinationPort >= 0 && d.destinationPort <= 0xFFFF,
        () -> "ports " + d.sourcePort + ", " + d.destinationPort + ": "
            + describe(linkType, frame));
    if (!d.ipv6) {
      assertTrue(
          isIpv4Mapped(d.sourceHi, d.sourceLo) && isIpv4Mapped(d.destinationHi, d.destinationLo),
          () -> "an IPv4 datagram without IPv4-mapped addresses: " + describe(linkType, frame));
    }
  }

  private static boolean isIpv4Mapped(long hi, long lo) {
    return hi == Datagram.IPV4_MAPPED_HI
        && (lo & 0xFFFF_FFFF_0000_0000L) == Datagram.IPV4_MAPPED_LO_PREFIX;
  }

  /**
   * Decodes the frame again from the middle of a larger array filled with bytes that look like
   * headers (0x45, 0x60, 0x11): a read before the offset or past the length would change what
   * is found, or at least could, where a read past the end of the bare frame throws.
   */
  private static void assertSameInsideALargerArray(
      int linkType, byte[] frame, DecodeOutcome outcome, Datagram ours) {
    byte[] larger = new byte[PADDING + frame.length + PADDING];
    for (int i = 0; i < larger.length; i++) larger[i] = HEADER_LIKE[i % HEADER_LIKE.length];
    System.arraycopy(frame, 0, larger, PADDING, frame.length);
    Datagram again = new Datagram();
    assertEquals(outcome, decodeOrFail(linkType, larger, PADDING, frame.length, again),
        () -> "decoded at offset " + PADDING + " inside a larger array: "
            + describe(linkType, frame));
    if (outcome == DecodeOutcome.UDP) {
      assertTrue(again.ipv6 == ours.ipv6 && again.sourceHi == ours.sourceHi
          && again.sourceLo == ours.sourceLo && again.destinationHi == ours.destinationHi
          && again.destinationLo == ours.destinationLo && again.sourcePort == ours.sourcePort
          && again.destinationPort == ours.destinationPort,
          () -> "other addresses or ports at offset " + PADDING + ": " + describe(linkType, frame));
    }
  }

  private static String describe(int linkType, byte[] frame) {
    return "link type " + linkType + ", frame " + HexFormat.ofDelimiter(" ").formatHex(frame);
  }

  private static int indexOf(int[] values, int value) {
    for (int i = 0; i < values.length; i++) if (values[i] == value) return i;
    return -1;
  }

  private static int[] concat(int[] a, int[] b) {
    int[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
