package org.udpknock.core;

import static org.udpknock.core.CoreTestValues.A;
import static org.udpknock.core.CoreTestValues.B;
import static org.udpknock.core.CoreTestValues.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Grant expiry, driven by the times passed in: no sleeps, several base times. */
class GrantTableTest {
  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void aGrantLastsItsDurationExactly(long t) {
    GrantTable grants = new GrantTable(30 * SECOND, 10);
    grants.grant(0, A, t);
    assertTrue(grants.isGranted(0, A, t));
    assertTrue(grants.isGranted(0, A, t + 30 * SECOND - 1), "1 ns before the end");
    assertFalse(grants.isGranted(0, A, t + 30 * SECOND), "at the end");
    assertFalse(grants.isGranted(0, B, t), "another source");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void expireReturnsEndedGrantsOnly(long t) {
    GrantTable grants = new GrantTable(30 * SECOND, 10);
    grants.grant(0, A, t);
    grants.grant(0, B, t + 10 * SECOND);
    assertEquals(t + 30 * SECOND, grants.nextExpiryNanos());
    assertEquals(List.of(), grants.expire(t + 30 * SECOND - 1));
    assertEquals(List.of(new GrantTable.Expired(0, A, t + 30 * SECOND)), grants.expire(t + 30 * SECOND));
    assertEquals(1, grants.size());
    assertEquals(t + 40 * SECOND, grants.nextExpiryNanos());
    assertEquals(1, grants.expire(t + 40 * SECOND).size());
    assertEquals(Long.MAX_VALUE, grants.nextExpiryNanos());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void knockingAgainExtendsTheGrant(long t) {
    GrantTable grants = new GrantTable(30 * SECOND, 10);
    grants.grant(0, A, t);
    grants.grant(0, A, t + 20 * SECOND);
    assertTrue(grants.isGranted(0, A, t + 49 * SECOND));
    assertEquals(List.of(), grants.expire(t + 30 * SECOND));
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void whenFullTheGrantClosestToItsEndMakesRoom(long t) {
    GrantTable grants = new GrantTable(30 * SECOND, 1);
    grants.grant(0, A, t);
    grants.grant(0, B, t + 1);
    assertFalse(grants.isGranted(0, A, t + 2));
    assertTrue(grants.isGranted(0, B, t + 2));
  }

  @org.junit.jupiter.api.Test
  void badArgumentsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new GrantTable(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new GrantTable(1, 0));
  }
}
