package org.udpknock.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.udpknock.core.KnockSequence;

/**
 * The checks of authenticated mode, each at several base times: 0, negative, a real date, and
 * near both ends of the 64-bit range. Time is the packet's timestamp, passed in.
 *
 * <p>By code review: the tag is compared with {@code MessageDigest.isEqual}, which is constant
 * time on Java 17 (KnockVerifier.tagMatches); a timing test would be flaky on a shared machine.
 */
class KnockVerifierTest {
  static final long SECOND = 1_000_000_000L;
  static final long SKEW = 30 * SECOND;
  static final long AHEAD = 5 * SECOND;
  static final KnockKey KEY = AuthPayloadTest.KEY;
  static final KnockKey OTHER_KEY = new KnockKey(HexFormat.of().parseHex(
      "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
  static final ServerId SERVER = AuthPayloadTest.SERVER;
  static final KnockSequence SEQUENCE = KnockSequence.of(12001, 12002, 12003);
  private long nonceCounter;

  private KnockVerifier verifier(int capacity) {
    return new KnockVerifier(KEY, SERVER, SEQUENCE, SKEW, AHEAD, capacity, Long.MIN_VALUE);
  }

  private byte[] payload(KnockKey key, int stage, long stamped) {
    return AuthPayload.encode(key, SERVER, stage, stamped, nextNonce());
  }

  private byte[] nextNonce() {
    byte[] nonce = new byte[16];
    long n = ++nonceCounter;
    for (int i = 0; i < 8; i++) {
      nonce[15 - i] = (byte) (n >>> (8 * i));
    }
    return nonce;
  }

  private static Verdict verify(KnockVerifier verifier, long now, int port, byte[] payload) {
    return verifier.verify(now, port, payload, 0, payload.length, true);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -7 * SECOND, 1_795_000_000 * SECOND, Long.MAX_VALUE - 100 * SECOND,
      Long.MIN_VALUE + 100 * SECOND})
  void aGoodKnockIsAcceptedOnItsOwnPortOnly(long t) {
    KnockVerifier verifier = verifier(16);
    assertEquals(Verdict.ACCEPTED, verify(verifier, t, 12001, payload(KEY, 1, t)));
    assertEquals(Verdict.ACCEPTED, verify(verifier, t, 12002, payload(KEY, 2, t)));
    assertEquals(Verdict.WRONG_STAGE, verify(verifier, t, 12003, payload(KEY, 2, t)));
    assertEquals(Verdict.WRONG_STAGE, verify(verifier, t, 12001, payload(KEY, 4, t)));
    assertEquals(Verdict.ACCEPTED, verify(verifier, t, 12003, payload(KEY, 3, t)));
    assertEquals(3, verifier.count(Verdict.ACCEPTED));
    assertEquals(2, verifier.rejected());
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1_795_000_000 * SECOND, Long.MAX_VALUE - 100 * SECOND})
  void anotherKeysKnockHasABadTag(long t) {
    assertEquals(Verdict.BAD_TAG, verify(verifier(16), t, 12001, payload(OTHER_KEY, 1, t)));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -7 * SECOND, 1_795_000_000 * SECOND, Long.MAX_VALUE - 100 * SECOND,
      Long.MIN_VALUE + 100 * SECOND})
  void theSkewBehindAndTheMaxAheadAreInclusiveToTheNanosecond(long t) {
    KnockVerifier verifier = verifier(16);
    // Stamped exactly 30 s before / 5 s after the packet's time: still fresh.
    assertEquals(Verdict.ACCEPTED, verify(verifier, t, 12001, payload(KEY, 1, t - SKEW)));
    assertEquals(Verdict.ACCEPTED, verify(verifier, t, 12001, payload(KEY, 1, t + AHEAD)));
    // One nanosecond further either way: stale; 30 s ahead is far past max-ahead.
    assertEquals(Verdict.STALE, verify(verifier, t, 12001, payload(KEY, 1, t - SKEW - 1)));
    assertEquals(Verdict.STALE, verify(verifier, t, 12001, payload(KEY, 1, t + AHEAD + 1)));
    assertEquals(Verdict.STALE, verify(verifier, t, 12001, payload(KEY, 1, t + SKEW)));
  }

  @ParameterizedTest
  @ValueSource(longs = {Long.MIN_VALUE, Long.MAX_VALUE, 0})
  void timestampsAtTheEndsOfTheRangeAreStaleWithoutOverflow(long stamped) {
    long[] packetTimes = {Long.MAX_VALUE, Long.MIN_VALUE};
    for (long now : packetTimes) {
      if (stamped == now) {
        continue;
      }
      assertEquals(Verdict.STALE, verify(verifier(16), now, 12001, payload(KEY, 1, stamped)),
          "stamped " + stamped + " seen at " + now);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1_795_000_000 * SECOND, Long.MAX_VALUE - 100 * SECOND})
  void aReplayedNonceIsRefusedWhileItLivesThenAsStale(long t) {
    KnockVerifier verifier = verifier(16);
    byte[] knock = payload(KEY, 1, t);
    assertEquals(Verdict.ACCEPTED, verify(verifier, t, 12001, knock));
    assertEquals(Verdict.REPLAYED, verify(verifier, t + 1, 12001, knock));
    // The last instant its entry must live: timestamp + skew.
    assertEquals(Verdict.REPLAYED, verify(verifier, t + SKEW, 12001, knock));
    // From another port it is a wrong stage before it is a replay: stage is checked first.
    assertEquals(Verdict.WRONG_STAGE, verify(verifier, t + SKEW, 12002, knock));
    // After that, the copy is stale, and its entry may go.
    assertEquals(Verdict.STALE, verify(verifier, t + SKEW + 1, 12001, knock));
    assertEquals(0, verifier.cachedNonces());
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1_795_000_000 * SECOND})
  void aPurgedNonceStaysRefusedWhenPacketTimeStepsBack(long t) {
    KnockVerifier verifier = verifier(16);
    byte[] knock = payload(KEY, 1, t);
    assertEquals(Verdict.ACCEPTED, verify(verifier, t, 12001, knock));
    // Packet time moves past the entry's life: it is purged by this unrelated datagram.
    assertEquals(Verdict.MALFORMED, verifier.verify(t + SKEW + 1, 12001, new byte[0], 0, 0, true));
    assertEquals(0, verifier.cachedNonces());
    // The clock steps back (or the capture is replayed after itself): the copy would be fresh
    // against this packet's time, yet it is older than the newest time by more than the skew.
    assertEquals(Verdict.STALE, verify(verifier, t + 1, 12001, knock));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1_795_000_000 * SECOND, Long.MIN_VALUE + 100 * SECOND})
  void aFullCacheFailsClosedAndPurgingFreesIt(long t) {
    KnockVerifier verifier = verifier(3);
    for (int i = 0; i < 3; i++) {
      assertEquals(Verdict.ACCEPTED, verify(verifier, t, 12001, payload(KEY, 1, t)));
    }
    // Full: a valid knock is refused rather than forgetting a live nonce.
    assertEquals(Verdict.CACHE_FULL, verify(verifier, t + SKEW, 12001, payload(KEY, 1, t + SKEW)));
    assertEquals(3, verifier.cachedNonces());
    // Past the first three's life they are purged, and the next knock gets in.
    assertEquals(Verdict.ACCEPTED, verify(verifier, t + SKEW + 1, 12001, payload(KEY, 1, t + SKEW)));
    assertEquals(1, verifier.cachedNonces());
    assertEquals(1, verifier.count(Verdict.CACHE_FULL));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1_795_000_000 * SECOND})
  void everySingleFlippedBitIsRefused(long t) {
    byte[] good = payload(KEY, 2, t);
    int refused = 0;
    for (int bit = 0; bit < good.length * 8; bit++) {
      KnockVerifier verifier = verifier(16);
      byte[] flipped = good.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      Verdict verdict = verify(verifier, t, 12002, flipped);
      // The version byte is judged first (malformed); every other bit breaks the tag.
      Verdict expected = bit < 8 ? Verdict.MALFORMED : Verdict.BAD_TAG;
      assertEquals(expected, verdict, "bit " + bit);
      refused++;
    }
    assertEquals(58 * 8, refused);
    assertEquals(Verdict.ACCEPTED, verify(verifier(16), t, 12002, good), "the unflipped payload");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 26, 57, 59, 64, 200})
  void payloadsOfAnyOtherLengthAreMalformed(int length) {
    byte[] good = payload(KEY, 1, 0);
    byte[] sized = Arrays.copyOf(good, length);
    assertEquals(Verdict.MALFORMED, verifier(16).verify(0, 12001, sized, 0, length, true));
  }

  @ParameterizedTest
  @ValueSource(longs = {0})
  void aTruncatedCaptureOfAGoodPayloadIsMalformed(long t) {
    byte[] good = payload(KEY, 1, t);
    // All 58 bytes in hand, but the UDP length said more than was captured.
    assertEquals(Verdict.MALFORMED, verifier(16).verify(t, 12001, good, 0, good.length, false));
  }

  @ParameterizedTest
  @ValueSource(longs = {0})
  void aPayloadInsideALargerFrameIsReadAtItsOffset(long t) {
    byte[] good = payload(KEY, 3, t);
    byte[] frame = new byte[good.length + 50];
    System.arraycopy(good, 0, frame, 42, good.length);
    assertEquals(Verdict.ACCEPTED, verifier(16).verify(t, 12003, frame, 42, good.length, true));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4})
  void withARepeatedPortTheStageNamesThePosition(int stage) {
    KnockVerifier verifier = new KnockVerifier(KEY, SERVER, KnockSequence.of(7000, 8000, 9000, 7000), SKEW, AHEAD,
        16, Long.MIN_VALUE);
    int[] ports = {7000, 8000, 9000, 7000};
    assertEquals(Verdict.ACCEPTED, verify(verifier, 0, ports[stage - 1], payload(KEY, stage, 0)));
    int other = ports[stage % 4] == ports[stage - 1] ? 8000 : ports[stage % 4];
    assertEquals(Verdict.WRONG_STAGE, verify(verifier, 0, other, payload(KEY, stage, 0)));
  }

  private static KnockVerifier startedAt(long start) {
    return new KnockVerifier(KEY, SERVER, SEQUENCE, SKEW, AHEAD, 16, start);
  }

  /**
   * Issue 9: the nonce cache is in memory only, so a knock sniffed before a restart (or a
   * crash) passed the restarted server. A knock stamped before the start + max-ahead is
   * refused; one stamped at that very nanosecond is not.
   */
  @ParameterizedTest
  @ValueSource(longs = {0, -7 * SECOND, 1_795_000_000 * SECOND, Long.MAX_VALUE - 100 * SECOND,
      Long.MIN_VALUE + 100 * SECOND})
  void aKnockStampedBeforeTheStartPlusMaxAheadIsRefusedToTheNanosecond(long start) {
    KnockVerifier verifier = startedAt(start);
    assertEquals(Verdict.BEFORE_START, verify(verifier, start + 1, 12001, payload(KEY, 1, start - 1)));
    assertEquals(Verdict.BEFORE_START, verify(verifier, start + 1, 12001, payload(KEY, 1, start)));
    assertEquals(Verdict.BEFORE_START, verify(verifier, start + 1, 12001, payload(KEY, 1, start + AHEAD - 1)));
    assertEquals(Verdict.ACCEPTED, verify(verifier, start + 1, 12001, payload(KEY, 1, start + AHEAD)));
    // The price: a client whose clock agrees with the server's is refused for max-ahead after the start.
    long late = start + AHEAD - 1;
    assertEquals(Verdict.BEFORE_START, verify(verifier, late, 12001, payload(KEY, 1, late)));
    assertEquals(Verdict.ACCEPTED, verify(verifier, late + 1, 12001, payload(KEY, 1, late + 1)));
    // Stale is judged first: a knock far older than the packet is stale, whatever the start.
    assertEquals(Verdict.STALE, verify(verifier, start + SKEW + 2, 12001, payload(KEY, 1, start - 1)));
    assertEquals(4, verifier.count(Verdict.BEFORE_START));
  }

  /**
   * Issue 9, left open by the first start bound: a client whose clock is ahead by d stamps its
   * knock d in the future. A first server accepted it; a second, started (after a crash) less
   * than d later, took a stamp after its own start for a fresh knock and granted the copy.
   */
  @ParameterizedTest
  @ValueSource(longs = {0, -7 * SECOND, 1_795_000_000 * SECOND, Long.MAX_VALUE - 100 * SECOND,
      Long.MIN_VALUE + 100 * SECOND})
  void aKnockStampedAheadIsRefusedAfterARestartWithinItsLead(long seen) {
    long lead = 3 * SECOND; // Less than max-ahead: the first server accepts it.
    byte[] knock = payload(KEY, 1, seen + lead);
    assertEquals(Verdict.ACCEPTED, verify(startedAt(seen - 2 * AHEAD), seen, 12001, knock));
    for (long restart : new long[] {seen + 1, seen + lead / 2, seen + lead - 1}) {
      KnockVerifier restarted = startedAt(restart);
      assertEquals(Verdict.BEFORE_START, verify(restarted, restart + 1, 12001, knock), "restart " + restart);
      assertEquals(Verdict.BEFORE_START, verify(restarted, seen + lead + AHEAD, 12001, knock), "restart " + restart);
    }
  }

  /**
   * A limit, pinned so that the README's word on it stays true: a knock from a client more than
   * max-ahead ahead is stale when it comes, but its nonce was never accepted, so whoever captured
   * it can send it once when its time comes. The server cannot tell it from a fresh knock.
   */
  @ParameterizedTest
  @ValueSource(longs = {0, 1_795_000_000 * SECOND})
  void aKnockRefusedAsTooFarAheadPassesOnceWhenItsTimeComes(long t) {
    KnockVerifier verifier = verifier(16);
    byte[] knock = payload(KEY, 1, t + AHEAD + SECOND);
    assertEquals(Verdict.STALE, verify(verifier, t, 12001, knock));
    assertEquals(Verdict.ACCEPTED, verify(verifier, t + SECOND, 12001, knock));
    assertEquals(Verdict.REPLAYED, verify(verifier, t + 2 * SECOND, 12001, knock));
  }

  /** Near the end of the range the start + max-ahead saturates: it never wraps to let all in. */
  @ParameterizedTest
  @ValueSource(longs = {Long.MAX_VALUE - 1, Long.MAX_VALUE - AHEAD})
  void theStartBoundSaturatesAtTheEndOfTheRange(long start) {
    KnockVerifier verifier = startedAt(start);
    assertEquals(Verdict.BEFORE_START, verify(verifier, Long.MAX_VALUE, 12001, payload(KEY, 1, Long.MAX_VALUE - 1)));
    assertEquals(Verdict.ACCEPTED, verify(verifier, Long.MAX_VALUE, 12001, payload(KEY, 1, Long.MAX_VALUE)));
    assertEquals(Long.MAX_VALUE, KnockVerifier.firstStampAfter(start, AHEAD));
    assertEquals(Long.MIN_VALUE, KnockVerifier.firstStampAfter(Long.MIN_VALUE, AHEAD), "no bound stays none");
  }

  /** Issue 9: a knock for one server opened every other server with the same key. */
  @ParameterizedTest
  @ValueSource(longs = {0, 1_795_000_000 * SECOND})
  void aKnockSignedForAnotherServerIdHasABadTag(long t) {
    byte[] forOther = AuthPayload.encode(KEY, ServerId.of("test-server-2"), 1, t, nextNonce());
    assertEquals(Verdict.BAD_TAG, verify(verifier(16), t, 12001, forOther));
    KnockVerifier other = new KnockVerifier(KEY, ServerId.of("test-server-2"), SEQUENCE, SKEW, AHEAD, 16,
        Long.MIN_VALUE);
    assertEquals(Verdict.BAD_TAG, verify(other, t, 12001, payload(KEY, 1, t)));
  }

  /**
   * Version 1 tags covered no server id: a v1 knock, even correctly signed as v1 was, is
   * refused as old-version, before its tag is looked at.
   */
  @ParameterizedTest
  @ValueSource(longs = {0, 1_795_000_000 * SECOND})
  void aVersion1KnockIsRefusedAsOldVersion(long t) throws Exception {
    byte[] v1 = payload(KEY, 1, t);
    v1[AuthPayload.VERSION_OFFSET] = 1;
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(HexFormat.of().parseHex(
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), "HmacSHA256"));
    mac.update(v1, 0, AuthPayload.SIGNED_LENGTH); // Version 1's tag: the 26 bytes alone.
    mac.doFinal(v1, AuthPayload.TAG_OFFSET);
    assertEquals(Verdict.OLD_VERSION, verify(verifier(16), t, 12001, v1));
    byte[] v3 = payload(KEY, 1, t);
    v3[AuthPayload.VERSION_OFFSET] = 3;
    assertEquals(Verdict.MALFORMED, verify(verifier(16), t, 12001, v3));
  }
}
