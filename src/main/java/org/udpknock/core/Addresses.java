package org.udpknock.core;

/**
 * Text forms of the 128-bit addresses the engine uses. IPv4 addresses are held as
 * IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}) and printed as plain dotted quads; IPv6 addresses
 * are printed in RFC 5952 form (lower case, no leading zeros, the longest run of two or more
 * zero groups shortened to {@code ::}, the first such run on a tie).
 *
 * <p><b>Scoped keys.</b> A link-local address {@code fe80::IID} is only unique on its link, so
 * the key of a link-local source (or destination) says which interface it came in on:
 * {@code hi = 0x00FE8000_00000000 | N} for interface index N (0 when unknown), {@code lo = IID}.
 * No accepted address has such a key: every address in {@code ::/8} but {@code ::1} and the
 * IPv4-mapped form of IPv4 (both {@code hi == 0}) is refused before it becomes a key, and a
 * link-local address outside {@code fe80::/64} too (RFC 4291 2.5.6: the 54 bits after
 * {@code fe80::/10} are zero). {@link #scopeOf} gives N back from a key.
 */
public final class Addresses {
  private static final long IPV4_MAPPED_MASK = 0xFFFF_FFFF_0000_0000L;
  private static final long IPV4_MAPPED_PREFIX = 0x0000_FFFF_0000_0000L;
  /** The upper 64 bits of every link-local address this host accepts: {@code fe80::/64}. */
  public static final long LINK_LOCAL_HI = 0xFE80_0000_0000_0000L;
  private static final long SCOPED_MASK = 0xFFFF_FFFF_0000_0000L;
  private static final long SCOPED_PREFIX = 0x00FE_8000_0000_0000L;

  private Addresses() {}

  /**
   * The key's {@code hi} of an address received on interface {@code interfaceIndex}: the scoped
   * form for a link-local address ({@code hi == LINK_LOCAL_HI}), {@code hi} itself otherwise.
   */
  public static long scopedHi(long hi, int interfaceIndex) {
    return hi == LINK_LOCAL_HI ? SCOPED_PREFIX | (interfaceIndex & 0xFFFF_FFFFL) : hi;
  }

  /** True for the key of a link-local address, which carries its interface index. */
  public static boolean isScoped(long hi) {
    return (hi & SCOPED_MASK) == SCOPED_PREFIX;
  }

  /**
   * The interface index of a link-local key ({@code lo} is the interface identifier, the
   * address is {@code fe80::lo}); 0 for any other key, or a link-local one of unknown interface.
   */
  public static int scopeOf(long hi) {
    return isScoped(hi) ? (int) hi : 0;
  }

  public static boolean isIpv4(long hi, long lo) {
    return hi == 0 && (lo & IPV4_MAPPED_MASK) == IPV4_MAPPED_PREFIX;
  }

  /** The IPv4-mapped form of a dotted-quad address held in an int. */
  public static long ipv4Lo(int address) {
    return IPV4_MAPPED_PREFIX | (address & 0xFFFF_FFFFL);
  }

  /** A link-local key prints as {@code fe80::IID%N}, N its interface index. */
  public static String format(long hi, long lo) {
    return format(hi, lo, Integer::toString);
  }

  /** As {@link #format(long, long)}, with {@code scopeNames} naming interface indexes (e.g. {@code %eth0}). */
  public static String format(long hi, long lo, java.util.function.IntFunction<String> scopeNames) {
    if (isScoped(hi)) {
      return formatIpv6(LINK_LOCAL_HI, lo) + "%" + scopeNames.apply(scopeOf(hi));
    }
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
