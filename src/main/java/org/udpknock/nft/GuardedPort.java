package org.udpknock.nft;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
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

  /** The sets of the command line's one door, {@code default}: the names used before doors came. */
  public static final String DEFAULT_DOOR_SETS = "service";
  private static final int HASHED_PREFIX = 17;

  /**
   * The sets' name for a door, the same at every start, and different for different door names:
   * a door name that is an nft name already is kept ({@code ssh}); the door {@code default}
   * keeps {@value #DEFAULT_DOOR_SETS}; any other ({@code SSH}, {@code ssh-relay}, a long one,
   * or {@code service} itself) is cut to nft's alphabet and given 6 hex digits of its SHA-256,
   * so that {@code a-b} and {@code a_b} never share sets.
   */
  public static String setsFor(String doorName) {
    if (doorName.equals("default")) {
      return DEFAULT_DOOR_SETS;
    }
    if (NAME.matcher(doorName).matches() && !doorName.equals(DEFAULT_DOOR_SETS)) {
      return doorName;
    }
    String cut = doorName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    cut = cut.substring(0, Math.min(cut.length(), HASHED_PREFIX));
    if (cut.isEmpty() || cut.charAt(0) < 'a' || cut.charAt(0) > 'z') {
      cut = "d" + cut.substring(0, Math.min(cut.length(), HASHED_PREFIX - 1));
    }
    return cut + "_" + sha256(doorName).substring(0, 6);
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
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
