package org.udpknock.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.HexFormat;
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
 * <p>Invariants, on every input: the verifier never throws; it accepts exactly when an
 * independent model says so (the payload is the key's own signature of its fields, for the
 * stage of the port it reached, stamped within the skew of the packet's time); a payload of the
 * wrong length is malformed; and the same datagram judged again is refused as replayed if it
 * was accepted, or judged the same way if not.
 */
class AuthPayloadFuzzTest {
  /** The key of the generated captures, {@code pcaps/gen-auth.key}, so that their seeds verify. */
  static final KnockKey KEY = new KnockKey(
      HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
  static final KnockSequence SEQUENCE = KnockSequence.of(12001, 12002, 12003);
  /** Ports a selector byte picks: the sequence, and one port outside it. */
  static final int[] PORTS = {12001, 12002, 12003, 40000};
  static final long MAX_SKEW_NANOS = 30_000_000_000L;
  static final int HEADER = 2;

  @FuzzTest
  void verifyAnyPayload(byte[] input) {
    if (input.length < HEADER) return;
    int port = PORTS[(input[0] & 0xFF) % PORTS.length];
    byte[] payload = Arrays.copyOfRange(input, HEADER, input.length);
    long stamp = payload.length >= AuthPayload.NONCE_OFFSET ? AuthPayload.timestampNanos(payload, 0) : 0;
    long timeNanos = stamp + input[1] * (MAX_SKEW_NANOS / 32); // Wraps near the ends: fine, the model agrees.

    KnockVerifier verifier = new KnockVerifier(KEY, SEQUENCE, MAX_SKEW_NANOS, 4);
    Verdict first = verifier.verify(timeNanos, port, input, HEADER, payload.length, true);
    assertEquals(modelAccepts(payload, port, timeNanos), first == Verdict.ACCEPTED,
        () -> "verdict " + first + " for port " + port + ", time " + timeNanos
            + ", payload " + HexFormat.of().formatHex(payload));
    if (payload.length != AuthPayload.LENGTH) {
      assertEquals(Verdict.MALFORMED, first);
    }
    Verdict again = verifier.verify(timeNanos, port, input, HEADER, payload.length, true);
    assertEquals(first == Verdict.ACCEPTED ? Verdict.REPLAYED : first, again);
  }

  /** What an independent reading of the payload format says: accepted or not. */
  private static boolean modelAccepts(byte[] payload, int port, long timeNanos) {
    if (payload.length != AuthPayload.LENGTH) return false;
    int stage = payload[AuthPayload.STAGE_OFFSET] & 0xFF;
    if (stage < 1 || stage > SEQUENCE.length() || SEQUENCE.port(stage - 1) != port) return false;
    long stamp = AuthPayload.timestampNanos(payload, 0);
    byte[] nonce = Arrays.copyOfRange(payload, AuthPayload.NONCE_OFFSET,
        AuthPayload.NONCE_OFFSET + AuthPayload.NONCE_LENGTH);
    if (!Arrays.equals(payload, AuthPayload.encode(KEY, stage, stamp, nonce))) return false;
    try {
      long difference = Math.subtractExact(timeNanos, stamp);
      return difference >= -MAX_SKEW_NANOS && difference <= MAX_SKEW_NANOS;
    } catch (ArithmeticException overflow) {
      return false;
    }
  }
}
