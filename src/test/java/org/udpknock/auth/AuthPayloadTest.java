package org.udpknock.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class AuthPayloadTest {
  static final KnockKey KEY = new KnockKey(HexFormat.of().parseHex(
      "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
  static final ServerId SERVER = ServerId.of("test-server");
  static final byte[] NONCE = HexFormat.of().parseHex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");

  @Test
  void encodeWritesTheDocumentedLayoutAndParseReadsItBack() throws Exception {
    long time = 0x0102030405060708L;
    byte[] payload = AuthPayload.encode(KEY, SERVER, 3, time, NONCE);

    assertEquals(58, payload.length);
    String hex = HexFormat.of().formatHex(payload);
    assertEquals("02" // version 2
        + "03" // stage 3
        + "0102030405060708" // timestamp, big-endian nanoseconds
        + "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", // nonce
        hex.substring(0, 52));
    // The tag is HMAC-SHA256 over the label, the first 26 bytes, and the length-prefixed
    // server id, computed here independently from the documented layout.
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(HexFormat.of().parseHex(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), "HmacSHA256"));
    mac.update("udpknock-knock-v2".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    mac.update(payload, 0, 26);
    mac.update((byte) 11);
    mac.update("test-server".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(HexFormat.of().formatHex(mac.doFinal()), hex.substring(52));

    assertEquals(2, AuthPayload.version(payload, 0));
    assertEquals(3, AuthPayload.stage(payload, 0));
    assertEquals(time, AuthPayload.timestampNanos(payload, 0));
    assertEquals(0xa0a1a2a3a4a5a6a7L, AuthPayload.nonceHi(payload, 0));
    assertEquals(0xa8a9aaabacadaeafL, AuthPayload.nonceLo(payload, 0));
  }

  @Test
  void negativeAndExtremeTimestampsRoundTrip() {
    for (long time : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1_795_000_000_123_456_789L}) {
      assertEquals(time, AuthPayload.timestampNanos(AuthPayload.encode(KEY, SERVER, 1, time, NONCE), 0));
    }
  }

  @Test
  void fieldsAreReadAtAnOffsetInsideAFrame() {
    byte[] payload = AuthPayload.encode(KEY, SERVER, 2, 42, NONCE);
    byte[] frame = new byte[100];
    System.arraycopy(payload, 0, frame, 30, payload.length);
    assertEquals(2, AuthPayload.stage(frame, 30));
    assertEquals(42, AuthPayload.timestampNanos(frame, 30));
    assertArrayEquals(payload, java.util.Arrays.copyOfRange(frame, 30, 88));
  }

  @Test
  void badArgumentsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> AuthPayload.encode(KEY, SERVER, 0, 0, NONCE));
    assertThrows(IllegalArgumentException.class, () -> AuthPayload.encode(KEY, SERVER, 256, 0, NONCE));
    assertThrows(IllegalArgumentException.class, () -> AuthPayload.encode(KEY, SERVER, 1, 0, new byte[15]));
    assertThrows(IllegalArgumentException.class, () -> new KnockKey(new byte[31]));
  }

  @Test
  void theTagDependsOnTheServerIdAndItsLength() {
    byte[] a = AuthPayload.encode(KEY, ServerId.of("ab"), 1, 0, NONCE);
    byte[] b = AuthPayload.encode(KEY, ServerId.of("ac"), 1, 0, NONCE);
    byte[] c = AuthPayload.encode(KEY, ServerId.of("abc"), 1, 0, NONCE);
    assertEquals(3, java.util.Set.of(HexFormat.of().formatHex(a), HexFormat.of().formatHex(b),
        HexFormat.of().formatHex(c)).size());
  }

  @Test
  void serverIdsArePrintableWordsOfAtMost64Characters() {
    assertEquals(16, ServerId.random(new java.security.SecureRandom()).name().length());
    assertEquals("web-1.example.org:22", ServerId.of("web-1.example.org:22").name());
    for (String bad : new String[] {"", "two words", "tab\there", "é", "x".repeat(65), null}) {
      assertEquals(false, ServerId.isValid(bad), String.valueOf(bad));
      assertThrows(IllegalArgumentException.class, () -> ServerId.of(bad));
    }
    assertEquals(true, ServerId.isValid("x".repeat(64)));
  }

  @Test
  void aKeyNeverPrintsItsBytes() {
    assertEquals("KnockKey[redacted]", KEY.toString());
  }
}
