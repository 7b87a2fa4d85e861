package org.udpknock.decode;

import static org.udpknock.decode.HeaderLayout.MAX_VLAN_TAGS;

import java.util.ArrayList;
import java.util.List;
import org.udpknock.core.PortRanges;
import java.util.stream.Collectors;

/**
 * The BPF filter (libpcap syntax) that passes every frame {@link FrameDecoder} can turn into a
 * datagram to the given ports, built from the decoder's own rules so the two cannot drift:
 *
 * <ul>
 *   <li>UDP to a port directly after the IPv4 or IPv6 header (libpcap's {@code udp} also follows
 *       one IPv6 fragment header);
 *   <li>every IPv6 packet whose next header is one the decoder walks (hop-by-hop, routing,
 *       fragment, destination options): BPF cannot follow a chain of them, so the decoder
 *       decides;
 *   <li>on Ethernet, the same behind up to {@code MAX_VLAN_TAGS} stacked tags (libpcap's
 *       {@code vlan} matches the TPIDs 0x8100, 0x88a8 and 0x9100, as the decoder does). Each
 *       {@code vlan} moves the offsets of the rest of the expression, so the levels nest.
 * </ul>
 */
public final class CaptureFilter {
  private CaptureFilter() {}

  /**
   * The filter for {@code linkType}'s frames to {@code portRanges} ({low, high} pairs, inclusive),
   * e.g. the ranges of several doors: overlapping and adjacent ranges are merged first.
   */
  public static String of(int linkType, List<int[]> portRanges) {
    String datagram = "(udp and (" + PortRanges.merged(portRanges).stream().map(CaptureFilter::portTest)
        .collect(Collectors.joining(" or ")) + ")) or (ip6 and (" + extensionHeaderTest() + "))";
    if (linkType != LinkType.ETHERNET) {
      return datagram;
    }
    String nested = datagram;
    for (int tags = 0; tags < MAX_VLAN_TAGS; tags++) {
      nested = datagram + " or (vlan and (" + nested + "))";
    }
    return nested;
  }

  /**
   * The filter for several doors' port ranges: their union, so that a port two doors share, or
   * ranges that overlap, appear once. For one door's ranges it is {@link #of(int, List)}'s.
   */
  public static String ofAll(int linkType, List<List<int[]>> rangesPerDoor) {
    return of(linkType, union(rangesPerDoor));
  }

  /** The sorted, merged union of several lists of inclusive {@code {low, high}} ranges. */
  public static List<int[]> union(List<List<int[]>> rangesPerDoor) {
    List<int[]> all = new ArrayList<>();
    rangesPerDoor.forEach(all::addAll);
    return PortRanges.merged(all);
  }


  private static String portTest(int[] range) {
    return range[0] == range[1] ? "dst port " + range[0] : "dst portrange " + range[0] + "-" + range[1];
  }

  private static String extensionHeaderTest() {
    return java.util.Arrays.stream(HeaderLayout.IPV6_WALKED_HEADERS)
        .mapToObj(header -> "ip6[6] == " + header).collect(Collectors.joining(" or "));
  }
}
