package org.udpknock.nft;

import java.util.regex.Pattern;

/**
 * A TCP port that udpknock's table closes to every source without a grant. Its sets are named
 * after it: {@code NAME_v4}, {@code NAME_v6} and {@code NAME_ll} (link-local IPv6 sources, with
 * the interface they came in on).
 */
public record GuardedPort(String name, int port) {
  /** nft identifiers, kept short so that a set name with its suffix stays under nft's limits. */
  static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,23}");

  public GuardedPort {
    requireName("guarded port", name);
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of 1..65535: " + port);
    }
  }

  String ipv4Set() {
    return name + "_v4";
  }

  String ipv6Set() {
    return name + "_v6";
  }

  String linkLocalSet() {
    return name + "_ll";
  }

  static void requireName(String what, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(what + " name must be a lower-case letter then up to 23"
          + " lower-case letters, digits or '_': " + name);
    }
  }
}
