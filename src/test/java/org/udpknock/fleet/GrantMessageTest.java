package org.udpknock.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.udpknock.auth.KnockKey;
import org.udpknock.core.Addresses;

class GrantMessageTest {
  static final KnockKey KEY = key(7);
  static final String INSTANCE = "0123456789abcdef";
  private static final long MS = 1_000_000L;
  /** 2026-01-01T00:00:00Z, in nanoseconds. */
  private static final long NOW = 1_767_225_600_000L * MS;
  private static final SharedGrant V4 = new SharedGrant("ssh", 0, Addresses.ipv4Lo(0x0A010203), NOW + 30_000 * MS);
  // 2001:db8::1
  private static final SharedGrant V6 = new SharedGrant("web_2", 0x20010DB8_00000000L, 1, NOW + 30_000 * MS);

  static KnockKey key(int fill) {
    byte[] bytes = new byte[KnockKey.LENGTH];
    Arrays.fill(bytes, (byte) fill);
    return new KnockKey(bytes);
  }

  private static String encoded(SharedGrant grant) {
    return GrantMessage.encode(grant, "bastion-a", INSTANCE, NOW - 1_000 * MS, KEY);
  }

  private static GrantMessage.Refused refused(String text) {
    return assertInstanceOf(GrantMessage.Refused.class, GrantMessage.decode(text, KEY, NOW));
  }

  @Test
  void roundTripsAnIpv4AndAnIpv6Grant() {
    for (SharedGrant grant : new SharedGrant[] {V4, V6}) {
      GrantMessage.Decoded decoded = assertInstanceOf(GrantMessage.Decoded.class,
          GrantMessage.decode(encoded(grant), KEY, NOW));
      assertEquals(grant, decoded.grant());
      assertEquals("bastion-a", decoded.host());
      assertEquals(INSTANCE, decoded.instance());
      assertEquals(NOW - 1_000 * MS, decoded.issuedNanos());
    }
  }

  @Test
  void writesTheSharedFormatWithTheSourceAsText() {
    String text = encoded(V6);
    String[] fields = text.split(" ");
    assertEquals(8, fields.length);
    assertEquals("udpknock-grant/1 bastion-a 0123456789abcdef web_2 2001:db8::1 1767225630000 1767225599000",
        text.substring(0, text.lastIndexOf(' ')));
    assertTrue(fields[7].matches("[0-9a-f]{64}"));
  }

  /** A grant must never end later on another host: sub-millisecond ends are cut, never rounded up. */
  @Test
  void truncatesTheEndToTheMillisecondBelow() {
    SharedGrant grant = new SharedGrant("ssh", 0, Addresses.ipv4Lo(1), NOW + 999_999);
    GrantMessage.Decoded decoded = assertInstanceOf(GrantMessage.Decoded.class,
        GrantMessage.decode(GrantMessage.encode(grant, "h", INSTANCE, NOW - MS, KEY), KEY, NOW - MS));
    assertEquals(NOW, decoded.grant().expiresAtNanos());
  }

  @Test
  void refusesToEncodeWhatReceiversWouldRefuse() {
    long scopedHi = Addresses.scopedHi(Addresses.LINK_LOCAL_HI, 2);
    assertThrows(IllegalArgumentException.class,
        () -> encoded(new SharedGrant("ssh", scopedHi, 1, NOW + MS)));
    assertThrows(IllegalArgumentException.class, () -> encoded(new SharedGrant("9ssh", 0, V4.sourceLo(), NOW)));
    assertThrows(IllegalArgumentException.class,
        () -> GrantMessage.encode(V4, "two words", INSTANCE, NOW, KEY));
    assertThrows(IllegalArgumentException.class, () -> GrantMessage.encode(V4, "h", "XYZ", NOW, KEY));
  }

  @Test
  void refusesAMessageWithoutItsMacAsUnsigned() {
    String text = encoded(V4);
    assertEquals("unsigned", refused(text.substring(0, text.lastIndexOf(' '))).reason());
  }

  @Test
  void refusesAMessageSignedWithAnotherKey() {
    String text = GrantMessage.encode(V4, "bastion-a", INSTANCE, NOW, key(8));
    assertEquals("bad-signature", refused(text).reason());
  }

  /** Each field changed after signing, to a value that is well-formed, must fail the MAC. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7})
  void refusesATamperedFieldAsBadSignature(int field) {
    String[] fields = encoded(V4).split(" ");
    String[] tampered = {null, "bastion-b", "fedcba9876543210", "web", "10.1.2.4", "1767225690000",
        "1767225600000", "0".repeat(64)};
    fields[field] = tampered[field];
    assertEquals("bad-signature", refused(String.join(" ", fields)).reason());
  }

  @Test
  void refusesAnExpiredMessage() {
    SharedGrant ended = new SharedGrant("ssh", 0, V4.sourceLo(), NOW);
    GrantMessage.Refused refusal = refused(encoded(ended));
    assertEquals("expired", refusal.reason());
    assertEquals("door ssh source 10.1.2.3 from bastion-a, expired 0 ms ago", refusal.detail());
    // One millisecond before its end, it is live.
    assertInstanceOf(GrantMessage.Decoded.class, GrantMessage.decode(encoded(ended), KEY, NOW - MS));
  }

  @Test
  void refusesAMessageIssuedBeyondTheClockSkew() {
    long skew = GrantMessage.MAX_CLOCK_SKEW_NANOS;
    SharedGrant grant = new SharedGrant("ssh", 0, V4.sourceLo(), NOW + 60_000 * MS);
    String atTheBound = GrantMessage.encode(grant, "h", INSTANCE, NOW + skew, KEY);
    String beyond = GrantMessage.encode(grant, "h", INSTANCE, NOW + skew + MS, KEY);
    assertInstanceOf(GrantMessage.Decoded.class, GrantMessage.decode(atTheBound, KEY, NOW));
    assertEquals("from-the-future", refused(beyond).reason());
  }

  /** Signed with the right key but out of form: what a buggy or older host could write. */
  @ParameterizedTest
  @ValueSource(strings = {
      "udpknock-grant/1 h 0123456789abcdef 9door 10.1.2.3 1767225630000 1767225599000",
      "udpknock-grant/1 h 0123456789ABCDEF ssh 10.1.2.3 1767225630000 1767225599000",
      "udpknock-grant/1 h 0123456789abcdef ssh 10.1.2.300 1767225630000 1767225599000",
      "udpknock-grant/1 h 0123456789abcdef ssh 010.1.2.3 1767225630000 1767225599000",
      "udpknock-grant/1 h 0123456789abcdef ssh ::ffff:10.1.2.3 1767225630000 1767225599000",
      "udpknock-grant/1 h 0123456789abcdef ssh 2001:DB8::1 1767225630000 1767225599000",
      "udpknock-grant/1 h 0123456789abcdef ssh fe80::1 1767225630000 1767225599000",
      "udpknock-grant/1 h 0123456789abcdef ssh example.org 1767225630000 1767225599000",
      "udpknock-grant/1 h 0123456789abcdef ssh 10.1.2.3 -1767225630000 1767225599000",
      "udpknock-grant/1 h 0123456789abcdef ssh 10.1.2.3 9999999999999 1767225599000",
      "udpknock-grant/1 h 0123456789abcdef ssh 10.1.2.3 1767225630000 1767225599000 extra"})
  void refusesASignedMessageOutOfFormAsMalformed(String body) {
    assertEquals("malformed", refused(body + " " + GrantMessage.mac(body, KEY)).reason());
  }

  @Test
  void refusesWhatIsNotAMessageAsMalformed() {
    String text = encoded(V4);
    assertEquals("malformed", refused("").reason());
    assertEquals("malformed", refused(text.replace("grant/1", "grant/2")).reason());
    assertEquals("malformed", refused(text + "\n").reason());
    assertEquals("malformed", refused(text.replace("bastion-a", "bastion-" + "a".repeat(GrantMessage.MAX_LENGTH))).reason());
    assertEquals("malformed", refused(null).reason());
  }

  /** Random, truncated and spliced lines: decode answers each, and never throws or accepts one. */
  @Test
  void neverThrowsOnRandomOrTruncatedLines() {
    Random random = new Random(13);
    String valid = encoded(V6);
    for (int i = 0; i < 20_000; i++) {
      String text = switch (i % 4) {
        case 0 -> valid.substring(0, random.nextInt(valid.length()));
        case 1 -> randomLine(random, valid.length());
        case 2 -> mutated(random, valid);
        default -> valid.substring(random.nextInt(valid.length())) + valid;
      };
      GrantMessage.Result result = GrantMessage.decode(text, KEY, NOW);
      assertFalse(result instanceof GrantMessage.Decoded && !text.equals(valid), text);
    }
  }

  private static String randomLine(Random random, int maxLength) {
    char[] chars = new char[random.nextInt(maxLength)];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = random.nextInt(8) == 0 ? ' ' : (char) random.nextInt(0x80);
    }
    return new String(chars);
  }

  private static String mutated(Random random, String valid) {
    char[] chars = valid.toCharArray();
    chars[random.nextInt(chars.length)] = (char) (0x20 + random.nextInt(0x5F));
    return new String(chars);
  }
}
