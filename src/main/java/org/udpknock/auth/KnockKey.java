package org.udpknock.auth;

import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The shared secret of authenticated knocks: 32 bytes. Never printed. */
public final class KnockKey {
  public static final int LENGTH = 32;
  private static final String ALGORITHM = "HmacSHA256";

  private final SecretKeySpec spec;

  public KnockKey(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("key length != " + LENGTH + ": " + bytes.length);
    }
    this.spec = new SecretKeySpec(bytes, ALGORITHM);
  }

  /** A fresh HMAC-SHA256 instance under this key; a Mac is not thread-safe, so one per user. */
  public Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(spec);
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("every Java 17 runtime has " + ALGORITHM, e);
    }
  }

  /**
   * Keys are equal when their bytes are, compared in constant time: a reload must see an
   * authenticated door with the same key file as unchanged, and keep its attempts and grants.
   */
  @Override
  public boolean equals(Object other) {
    return other instanceof KnockKey
        && MessageDigest.isEqual(spec.getEncoded(), ((KnockKey) other).spec.getEncoded());
  }

  /** Not derived from the bytes, so that a hash never hints at the key. */
  @Override
  public int hashCode() {
    return KnockKey.class.hashCode();
  }

  /** Redacted: keys end up in records and logs by accident, never their bytes. */
  @Override
  public String toString() {
    return "KnockKey[redacted]";
  }
}
