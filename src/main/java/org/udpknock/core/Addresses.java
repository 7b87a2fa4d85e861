package org.udpknock.core;

/**
 * Text forms of the 128-bit addresses the engine uses. IPv4 addresses are held as
 * IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) and printed as plain dotted quads; IPv6 addresses
 * are printed in RFC 5952 form (lower case, no leading zeros, the longest run of two or more
 * zero groups shortened to {@code ::}, the first such run on a tie).
 */
public final class Addresses {
  private static final long IPV4_MAPPED_MASK = 0xFFFF_FFFF_0000_0000L;
  private static final long IPV4_MAPPED_PREFIX = 0x0000_FFFF_0000_0000L;

  private Addresses() {}

  public static boolean isIpv4(long hi, long lo) {
    return hi == 0 && (lo & IPV4_MAPPED_MASK) == IPV4_MAPPED_PREFIX;
  }

  /** The IPv4-mapped form of a dotted-quad address held in an int. */
  public static long ipv4Lo(int address) {
    return IPV4_MAPPED_PREFIX | (address & 0xFFFF_FFFFL);
  }

  public static String format(long hi, long lo) {
    return isIpv4(hi, lo) ? formatIpv4((int) lo) : formatIpv6(hi, lo);
  }

  private static String formatIpv4(int address) {
    return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF)
        + "." + (address & 0xFF);
  }

  private static String formatIpv6(long hi, long lo) {
    int[] groups = new int[8];
    for (int i = 0; i < 4; i++) {
      groups[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
      groups[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
    }
    int[] run = longestZeroRun(groups);
    StringBuilder text = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == run[0]) {
        text.append("::");
        i += run[1] - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(groups[i]));
    }
    return text.toString();
  }

  /** {start, length} of the first longest run of at least two zero groups, or {-1, 0}. */
  private static int[] longestZeroRun(int[] groups) {
    int bestStart = -1;
    int bestLength = 1; // RFC 5952 4.2.2: a single zero group is not shortened.
    for (int i = 0; i < groups.length; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int start = i;
      while (i < groups.length && groups[i] == 0) {
        i++;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
    }
    return bestStart < 0 ? new int[] {-1, 0} : new int[] {bestStart, bestLength};
  }
}
