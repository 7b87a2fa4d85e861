package org.udpknock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.udpknock.core.CoreTestValues.A;
import static org.udpknock.core.CoreTestValues.B;
import static org.udpknock.core.CoreTestValues.C;
import static org.udpknock.core.CoreTestValues.SECOND;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Grants another host made ({@link GrantTable#grantUntil}): each ends at its own end, in order with local ones. */
class SharedGrantTableTest {
  private static final long DURATION = 30 * SECOND;

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void aSharedGrantEndsAtItsOwnEndNotAFullDurationFromNow(long t) {
    GrantTable grants = new GrantTable(DURATION, 10);
    GrantTable.SharedOutcome outcome = grants.grantUntil(0, A, t + 10 * SECOND, t);
    assertTrue(outcome.applied());
    assertEquals(t + 10 * SECOND, outcome.endNanos());
    assertTrue(grants.isGranted(0, A, t + 10 * SECOND - 1));
    assertFalse(grants.isGranted(0, A, t + 10 * SECOND));
    assertEquals(List.of(ended(A, t + 10 * SECOND)), grants.expire(t + 10 * SECOND, 10));
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void itTakesItsPlaceInExpiryOrderAmongLocalGrants(long t) {
    GrantTable grants = new GrantTable(DURATION, 10);
    grants.grant(0, A, t); // ends t+30
    grants.grant(0, B, t + 20 * SECOND); // ends t+50
    grants.grantUntil(0, C, t + 40 * SECOND, t + 20 * SECOND); // between them
    assertEquals(List.of(ended(A, t + 30 * SECOND), ended(C, t + 40 * SECOND)), grants.expire(t + 45 * SECOND, 10));
    assertEquals(t + 50 * SECOND, grants.nextExpiryNanos());
    assertEquals(List.of(0L + B), grants.live().stream().map(GrantTable.Live::sourceLo).toList());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void aSharedGrantLastsNoLongerThanThisHostsDuration(long t) {
    GrantTable grants = new GrantTable(DURATION, 10);
    assertEquals(t + DURATION, grants.grantUntil(0, A, t + 90 * SECOND, t).endNanos(),
        "another host's door lasts longer, or its clock is ahead: held to this door's duration");
    assertTrue(grants.isGranted(0, A, t + DURATION - 1));
    assertFalse(grants.isGranted(0, A, t + DURATION));
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void anEndedOrShorterGrantChangesNothing(long t) {
    GrantTable grants = new GrantTable(DURATION, 10);
    assertFalse(grants.grantUntil(0, A, t, t).applied(), "ends now");
    assertEquals(0, grants.size());
    grants.grant(0, B, t);
    assertFalse(grants.grantUntil(0, B, t + 10 * SECOND, t + SECOND).applied(), "the table holds it longer");
    assertTrue(grants.isGranted(0, B, t + DURATION - 1));
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void aRenewalElsewhereExtendsAndMovesTheGrant(long t) {
    GrantTable grants = new GrantTable(DURATION, 10);
    grants.grantUntil(0, A, t + 10 * SECOND, t);
    grants.grant(0, B, t); // ends t+30
    assertTrue(grants.grantUntil(0, A, t + 35 * SECOND, t + 5 * SECOND).applied());
    assertEquals(List.of(ended(B, t + DURATION), ended(A, t + 35 * SECOND)), grants.expire(t + 35 * SECOND, 10));
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void whenFullTheOldestMakesRoom(long t) {
    GrantTable grants = new GrantTable(DURATION, 1);
    grants.grant(0, A, t);
    GrantTable.SharedOutcome outcome = grants.grantUntil(0, B, t + 20 * SECOND, t + SECOND);
    assertTrue(outcome.applied());
    assertEquals(new GrantTable.Removal(0, A, t + SECOND, true), outcome.madeRoom());
    assertNull(grants.grantUntil(0, B, t + 25 * SECOND, t + 2 * SECOND).madeRoom());
    assertEquals(1, grants.size());
  }

  private static GrantTable.Removal ended(long source, long at) {
    return new GrantTable.Removal(0, source, at, false);
  }
}
