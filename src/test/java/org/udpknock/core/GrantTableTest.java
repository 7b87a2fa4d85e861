package org.udpknock.core;

import static org.udpknock.core.CoreTestValues.A;
import static org.udpknock.core.CoreTestValues.B;
import static org.udpknock.core.CoreTestValues.C;
import static org.udpknock.core.CoreTestValues.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Grant expiry and eviction, driven by the times passed in: no sleeps, several base times. */
class GrantTableTest {
  private static final long DURATION = 30 * SECOND;

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void aGrantLastsItsDurationExactly(long t) {
    GrantTable grants = new GrantTable(DURATION, 10);
    assertNull(grants.grant(0, A, t));
    assertTrue(grants.isGranted(0, A, t));
    assertTrue(grants.isGranted(0, A, t + DURATION - 1), "1 ns before the end");
    assertFalse(grants.isGranted(0, A, t + DURATION), "at the end");
    assertFalse(grants.isGranted(0, B, t), "another source");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void expireReturnsEndedGrantsOnly(long t) {
    GrantTable grants = new GrantTable(DURATION, 10);
    grants.grant(0, A, t);
    grants.grant(0, B, t + 10 * SECOND);
    assertEquals(t + DURATION, grants.nextExpiryNanos());
    assertEquals(List.of(), grants.expire(t + DURATION - 1, 10));
    assertEquals(List.of(ended(A, t + DURATION)), grants.expire(t + DURATION, 10));
    assertEquals(1, grants.size());
    assertEquals(t + 40 * SECOND, grants.nextExpiryNanos());
    assertEquals(List.of(ended(B, t + 40 * SECOND)), grants.expire(t + 40 * SECOND, 10));
    assertEquals(Long.MAX_VALUE, grants.nextExpiryNanos());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void knockingAgainExtendsTheGrantAndMakesItTheNewest(long t) {
    GrantTable grants = new GrantTable(DURATION, 10);
    grants.grant(0, A, t);
    grants.grant(0, B, t + 10 * SECOND);
    grants.grant(0, A, t + 20 * SECOND);
    assertTrue(grants.isGranted(0, A, t + 49 * SECOND));
    assertEquals(List.of(), grants.expire(t + DURATION, 10), "A's first end is gone");
    assertEquals(List.of(ended(B, t + 40 * SECOND), ended(A, t + 50 * SECOND)),
        grants.expire(t + 50 * SECOND, 10), "B, now the oldest, ends first");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void timeGoingBackwardsCountsAsNoTimeElapsed(long t) {
    GrantTable grants = new GrantTable(DURATION, 10);
    grants.grant(0, A, t);
    grants.grant(0, B, t - 5 * SECOND); // Starts at t, not before the grant before it.
    grants.grant(0, A, t - 10 * SECOND); // A renewal never shortens a grant.
    assertTrue(grants.isGranted(0, B, t + DURATION - 1));
    assertTrue(grants.isGranted(0, A, t + DURATION - 1));
    assertEquals(List.of(ended(B, t + DURATION), ended(A, t + DURATION)), grants.expire(t + DURATION, 10));
  }

  /** Was: a full table found its victim by scanning every grant; the oldest goes now, and is reported. */
  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void whenFullTheOldestGrantIsEvictedAndReported(long t) {
    GrantTable grants = new GrantTable(DURATION, 2);
    grants.grant(0, A, t);
    grants.grant(0, B, t + 1);
    grants.grant(0, A, t + 2); // Renewed: B is the oldest now.
    assertEquals(new GrantTable.Removal(0, B, t + 3, true), grants.grant(0, C, t + 3));
    assertFalse(grants.isGranted(0, B, t + 4));
    assertTrue(grants.isGranted(0, A, t + 4));
    assertTrue(grants.isGranted(0, C, t + 4));
    assertEquals(1, grants.evicted());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void whenFullAnEndedGrantMakesRoomAsExpiredNotEvicted(long t) {
    GrantTable grants = new GrantTable(DURATION, 1);
    grants.grant(0, A, t);
    assertEquals(ended(A, t + DURATION), grants.grant(0, B, t + DURATION));
    assertEquals(0, grants.evicted());
  }

  /** Was: one expiry call removed every ended grant under the lock the capture thread needs. */
  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void expiryDoesAtMostItsLimitPerCall(long t) {
    int full = 10_000;
    GrantTable grants = new GrantTable(DURATION, full);
    for (int i = 0; i < full; i++) {
      grants.grant(0, A + 1000 + i, t + i);
    }
    long allEnded = t + full + DURATION;
    List<GrantTable.Removal> first = grants.expire(allEnded, 64);
    assertEquals(64, first.size());
    assertEquals(ended(A + 1000, t + DURATION), first.get(0), "the oldest first");
    assertEquals(full - 64, grants.size());
    int calls = 1;
    while (!grants.expire(allEnded, 64).isEmpty()) {
      calls++;
    }
    assertEquals((full + 63) / 64, calls);
    assertEquals(0, grants.size());
  }

  @Test
  void aGrantNearTheEndOfTimeNeverEnds() {
    GrantTable grants = new GrantTable(DURATION, 1);
    grants.grant(0, A, Long.MAX_VALUE - SECOND);
    assertTrue(grants.isGranted(0, A, Long.MAX_VALUE - 1));
    assertEquals(Long.MAX_VALUE, grants.nextExpiryNanos());
  }

  @Test
  void badArgumentsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new GrantTable(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new GrantTable(1, 0));
  }

  private static GrantTable.Removal ended(long sourceLo, long atNanos) {
    return new GrantTable.Removal(0, sourceLo, atNanos, false);
  }
}
