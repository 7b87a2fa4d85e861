package org.udpknock.auth;

import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;

/**
 * The payload of an authenticated knock: exactly {@value #LENGTH} bytes, network byte order.
 *
 * <pre>
 *    0       1       2                               10                              26
 *   +-------+-------+-------------------------------+-------------------------------+
 *   |version| stage |          timestamp            |             nonce             |
 *   |  = 2  | 1..32 | signed 64-bit, nanoseconds    | 16 bytes from SecureRandom,   |
 *   |       |       | since the Unix epoch (UTC)    | fresh for every datagram      |
 *   +-------+-------+-------------------------------+-------------------------------+
 *   26                                                                              58
 *   +-------------------------------------------------------------------------------+
 *   |   tag: HMAC-SHA256 under the shared 32-byte key (32 bytes) over the tag input  |
 *   +-------------------------------------------------------------------------------+
 *
 *   tag input = "udpknock-knock-v2" (17 ASCII bytes, a domain-separation label)
 *            || bytes 0..25 || length of the server id (1 byte) || server id (ASCII)
 * </pre>
 *
 * <p>The server id ({@link ServerId}) is not sent: each side knows it, and a knock signed for
 * one server fails the tag check at any other, even one with the same key. The label and the
 * fixed length of bytes 0..25 before the length-prefixed id make the input unambiguous.
 * Version 1 payloads had the same layout but a tag over bytes 0..25 alone, bound to no server;
 * they are refused (see {@link Verdict#OLD_VERSION}).
 *
 * <p>The stage is the 1-based position in the sequence of the port the datagram is sent to,
 * so a knock sniffed on one port cannot be re-aimed at another. Nanoseconds, not milliseconds:
 * the packet timestamps the server compares them with are nanoseconds, and a signed 64-bit
 * count of them lasts until the year 2262. A payload of any other length, or of a version
 * other than 1 and 2, is malformed.
 */
public final class AuthPayload {
  private AuthPayload() {}

  public static final int VERSION = 2;
  /** The version before the tag covered the server id: recognised only to be refused. */
  public static final int OLD_VERSION = 1;
  public static final int VERSION_OFFSET = 0;
  public static final int STAGE_OFFSET = 1;
  public static final int TIMESTAMP_OFFSET = 2;
  public static final int TIMESTAMP_LENGTH = 8;
  public static final int NONCE_OFFSET = 10;
  public static final int NONCE_LENGTH = 16;
  /** Everything before the tag: what the tag authenticates. */
  public static final int SIGNED_LENGTH = 26;
  public static final int TAG_OFFSET = SIGNED_LENGTH;
  public static final int TAG_LENGTH = 32;
  public static final int LENGTH = TAG_OFFSET + TAG_LENGTH;
  private static final byte[] LABEL = "udpknock-knock-v2".getBytes(StandardCharsets.US_ASCII);

  /**
   * A new payload for {@code stage} of the server {@code server}, stamped {@code timeNanos}, with
   * {@code nonce} (16 bytes).
   */
  public static byte[] encode(KnockKey key, ServerId server, int stage, long timeNanos, byte[] nonce) {
    if (stage < 1 || stage > 255) {
      throw new IllegalArgumentException("stage out of range 1-255: " + stage);
    }
    if (nonce.length != NONCE_LENGTH) {
      throw new IllegalArgumentException("nonce length != " + NONCE_LENGTH + ": " + nonce.length);
    }
    byte[] payload = new byte[LENGTH];
    payload[VERSION_OFFSET] = VERSION;
    payload[STAGE_OFFSET] = (byte) stage;
    putLong(payload, TIMESTAMP_OFFSET, timeNanos);
    System.arraycopy(nonce, 0, payload, NONCE_OFFSET, NONCE_LENGTH);
    sign(key.newMac(), server.tagSuffix(), payload, 0, payload, TAG_OFFSET);
    return payload;
  }

  /**
   * Writes the tag of the payload at {@code offset}, for the server whose {@link
   * ServerId#tagSuffix} is {@code serverSuffix}, into {@code tag} at {@code tagOffset}.
   */
  static void sign(Mac mac, byte[] serverSuffix, byte[] payload, int offset, byte[] tag, int tagOffset) {
    mac.update(LABEL);
    mac.update(payload, offset, SIGNED_LENGTH);
    mac.update(serverSuffix);
    try {
      mac.doFinal(tag, tagOffset);
    } catch (ShortBufferException e) {
      throw new IllegalStateException("tag buffer too short", e); // Callers size it: a bug.
    }
  }

  public static int version(byte[] f, int offset) {
    return f[offset + VERSION_OFFSET] & 0xFF;
  }

  public static int stage(byte[] f, int offset) {
    return f[offset + STAGE_OFFSET] & 0xFF;
  }

  public static long timestampNanos(byte[] f, int offset) {
    return getLong(f, offset + TIMESTAMP_OFFSET);
  }

  public static long nonceHi(byte[] f, int offset) {
    return getLong(f, offset + NONCE_OFFSET);
  }

  public static long nonceLo(byte[] f, int offset) {
    return getLong(f, offset + NONCE_OFFSET + 8);
  }

  private static long getLong(byte[] f, int pos) {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = value << 8 | (f[pos + i] & 0xFF);
    }
    return value;
  }

  private static void putLong(byte[] f, int pos, long value) {
    for (int i = 7; i >= 0; i--) {
      f[pos + i] = (byte) value;
      value >>>= 8;
    }
  }
}
