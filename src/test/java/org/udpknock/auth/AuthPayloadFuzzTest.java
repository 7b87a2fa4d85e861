package org.udpknock.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.udpknock.core.KnockSequence;

/**
 * Coverage-guided fuzzing of the authenticated-payload parser and verifier ({@link
 * KnockVerifier}). Without {@code JAZZER_FUZZ} this runs as a unit test over the seeds and saved
 * findings in {@code
 * src/test/resources/org/udpknock/auth/AuthPayloadFuzzTestInputs/verifyAnyPayload/} (the UDP
 * payloads of the knocks in {@code pcaps/}, written by {@code scripts/generate-fuzz-seeds}); with
 * it, Jazzer mutates them (see {@code scripts/fuzz}).
 *
 * <p>An input is a port selector byte, a signed skew byte, then the payload. The packet's time
 * is the payload's own timestamp moved by the skew byte in steps of a 32nd of the allowed skew,
 * so that mutations reach both sides of the window.
 *
 * The verifier's start lies half a skew before the packet's time, so that its bound (the start
 * + max-ahead) lies within the window and mutations reach both sides of it too.
 *
 * <p>Invariants, on every input: the verifier never throws; it accepts exactly when an
 * independent model says so (version 2, a tag that is HMAC-SHA256 computed here from the
 * documented layout over the label, the fields and this server's id, the stage of the port it
 * reached, stamped at most the skew behind and max-ahead ahead of the packet's time, and not
 * before the start + max-ahead, saturated); a payload of
 * the wrong length is malformed; and the same datagram judged again is refused as replayed if
 * it was accepted, or judged the same way if not.
 */
class AuthPayloadFuzzTest {
  /** The key of the generated captures, {@code pcaps/gen-auth.key}, so that their seeds verify. */
  static final byte[] KEY_BYTES =
      HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  static final KnockKey KEY = new KnockKey(KEY_BYTES);
  /** The server id of {@code pcaps/gen-auth.key}. */
  static final String SERVER_ID = "gen-auth-server";
  static final KnockSequence SEQUENCE = KnockSequence.of(12001, 12002, 12003);
  /** Ports a selector byte picks: the sequence, and one port outside it. */
  static final int[] PORTS = {12001, 12002, 12003, 40000};
  static final long MAX_SKEW_NANOS = 30_000_000_000L;
  static final long MAX_AHEAD_NANOS = 5_000_000_000L;
  static final int HEADER = 2;

  @FuzzTest
  void verifyAnyPayload(byte[] input) {
    if (input.length < HEADER) return;
    int port = PORTS[(input[0] & 0xFF) % PORTS.length];
    byte[] payload = Arrays.copyOfRange(input, HEADER, input.length);
    long stamp = payload.length >= AuthPayload.NONCE_OFFSET ? AuthPayload.timestampNanos(payload, 0) : 0;
    long timeNanos = stamp + input[1] * (MAX_SKEW_NANOS / 32); // Wraps near the ends: fine, the model agrees.

    long start = timeNanos - MAX_SKEW_NANOS / 2;

    KnockVerifier verifier = new KnockVerifier(KEY, ServerId.of(SERVER_ID), SEQUENCE, MAX_SKEW_NANOS,
        MAX_AHEAD_NANOS, 4, start);
    Verdict first = verifier.verify(timeNanos, port, input, HEADER, payload.length, true);
    assertEquals(modelAccepts(payload, port, timeNanos, start), first == Verdict.ACCEPTED,
        () -> "verdict " + first + " for port " + port + ", time " + timeNanos
            + ", payload " + HexFormat.of().formatHex(payload));
    if (payload.length != AuthPayload.LENGTH) {
      assertEquals(Verdict.MALFORMED, first);
    }
    Verdict again = verifier.verify(timeNanos, port, input, HEADER, payload.length, true);
    assertEquals(first == Verdict.ACCEPTED ? Verdict.REPLAYED : first, again);
  }

  /** What an independent reading of the payload format says: accepted or not. */
  private static boolean modelAccepts(byte[] payload, int port, long timeNanos, long start) {
    if (payload.length != 58 || payload[0] != 2) return false;
    int stage = payload[1] & 0xFF;
    if (stage < 1 || stage > SEQUENCE.length() || SEQUENCE.port(stage - 1) != port) return false;
    if (!Arrays.equals(Arrays.copyOfRange(payload, 26, 58), modelTag(payload))) return false;
    long stamp = new BigInteger(Arrays.copyOfRange(payload, 2, 10)).longValueExact();
    BigInteger behind = BigInteger.valueOf(timeNanos).subtract(BigInteger.valueOf(stamp));
    BigInteger firstStamp = start == Long.MIN_VALUE ? BigInteger.valueOf(start) // no bound
        : BigInteger.valueOf(start).add(BigInteger.valueOf(MAX_AHEAD_NANOS)).min(BigInteger.valueOf(Long.MAX_VALUE));
    return behind.compareTo(BigInteger.valueOf(-MAX_AHEAD_NANOS)) >= 0
        && behind.compareTo(BigInteger.valueOf(MAX_SKEW_NANOS)) <= 0
        && BigInteger.valueOf(stamp).compareTo(firstStamp) >= 0;
  }

  /** HMAC-SHA256 of "udpknock-knock-v2", bytes 0..25, the server id's length and its bytes. */
  private static byte[] modelTag(byte[] payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(KEY_BYTES, "HmacSHA256"));
      byte[] id = SERVER_ID.getBytes(StandardCharsets.US_ASCII);
      ByteArrayOutputStream input = new ByteArrayOutputStream();
      input.writeBytes("udpknock-knock-v2".getBytes(StandardCharsets.US_ASCII));
      input.write(payload, 0, 26);
      input.write(id.length);
      input.writeBytes(id);
      return mac.doFinal(input.toByteArray());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
