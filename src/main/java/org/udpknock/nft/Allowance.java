package org.udpknock.nft;

import org.udpknock.core.Addresses;

/**
 * One source to let through for a while: an address in the engine's 128-bit form (IPv4 as
 * IPv4-mapped), the interface index it came in on (needed for link-local IPv6, 0 if unknown),
 * and a timeout in milliseconds.
 */
public record Allowance(long sourceHi, long sourceLo, int interfaceIndex, long timeoutMillis) {
  /** fe80::/10: the top ten bits 1111111010. */
  private static final long LINK_LOCAL_PREFIX = 0x3FAL;

  public Allowance {
    if (timeoutMillis < 1) {
      throw new IllegalArgumentException("timeout under 1 ms: " + timeoutMillis);
    }
    if (interfaceIndex < 0) {
      throw new IllegalArgumentException("interface index < 0: " + interfaceIndex);
    }
  }

  boolean isIpv4() {
    return Addresses.isIpv4(sourceHi, sourceLo);
  }

  boolean isLinkLocal() {
    return (sourceHi >>> 54) == LINK_LOCAL_PREFIX;
  }

  /** The set element's key: {@code 10.0.0.1}, {@code 2001:db8::1} or {@code 3 . fe80::1}. */
  String key() {
    String address = Addresses.format(sourceHi, sourceLo);
    return isLinkLocal() ? interfaceIndex + " . " + address : address;
  }

  String source() {
    return Addresses.format(sourceHi, sourceLo);
  }
}
