package org.udpknock.auth;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The identity of one server, covered by every knock's tag but never sent: a knock signed for
 * one server does not open another that shares its key. A name, not an address, so that it
 * survives NAT on both sides. 1 to {@value #MAX_LENGTH} printable ASCII characters, no spaces.
 */
public final class ServerId {
  public static final int MAX_LENGTH = 64;
  private static final Pattern VALID = Pattern.compile("[\\x21-\\x7e]{1," + MAX_LENGTH + "}");
  private static final int RANDOM_BYTES = 8;

  private final String name;

  private ServerId(String name) {
    this.name = name;
  }

  /** Whether {@code name} can be a server id. */
  public static boolean isValid(String name) {
    return name != null && VALID.matcher(name).matches();
  }

  /** @throws IllegalArgumentException when {@code name} is not {@linkplain #isValid valid} */
  public static ServerId of(String name) {
    if (!isValid(name)) {
      throw new IllegalArgumentException("not a server id (1-" + MAX_LENGTH
          + " printable ASCII characters, no spaces): '" + name + "'");
    }
    return new ServerId(name);
  }

  /** A fresh id of 16 hex digits: two servers given random ids never share one. */
  public static ServerId random(SecureRandom random) {
    byte[] bytes = new byte[RANDOM_BYTES];
    random.nextBytes(bytes);
    return new ServerId(HexFormat.of().formatHex(bytes));
  }

  /** What the tag covers after the signed bytes: the id's length in one byte, then its bytes. */
  byte[] tagSuffix() {
    byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
    byte[] suffix = new byte[1 + bytes.length];
    suffix[0] = (byte) bytes.length;
    System.arraycopy(bytes, 0, suffix, 1, bytes.length);
    return suffix;
  }

  public String name() {
    return name;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ServerId id && id.name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
