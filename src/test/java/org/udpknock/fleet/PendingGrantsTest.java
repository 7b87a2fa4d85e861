package org.udpknock.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PendingGrantsTest {
  private static SharedGrant grant(int source, long end) {
    return new SharedGrant("ssh", 0, source, end);
  }

  /** At base times 0, negative and near the ends of a long: the rules never compare by subtraction. */
  @Test
  void keepsTheLatestEndOfEachGrantAndDropsTheEndedAtAnyBaseTime() {
    for (long now : new long[] {0, -5_000_000_000L, Long.MAX_VALUE - 100, Long.MIN_VALUE + 100}) {
      PendingGrants pending = new PendingGrants(8);
      assertTrue(pending.add(grant(1, now + 10), now));
      assertTrue(pending.add(grant(1, now + 30), now)); // A renewal.
      assertTrue(pending.add(grant(1, now + 20), now)); // An older end, arriving late.
      assertTrue(pending.add(grant(2, now), now)); // Ended at now: not kept.
      assertTrue(pending.add(grant(3, now + 5), now));
      assertEquals(List.of(grant(1, now + 30), grant(3, now + 5)), pending.live(now));
      assertEquals(List.of(grant(1, now + 30)), pending.live(now + 5));
    }
  }

  /** A full map is swept of ended grants at most once a second (a sweep reads every entry): the room is made then. */
  @Test
  void isBoundedAndMakesRoomOnlyFromEndedGrants() {
    long second = 1_000_000_000L;
    PendingGrants pending = new PendingGrants(2);
    assertTrue(pending.add(grant(1, 10), 0));
    assertTrue(pending.add(grant(2, 5 * second), 0));
    assertFalse(pending.add(grant(3, 5 * second), 0)); // Full of live grants: swept, in vain.
    assertTrue(pending.add(grant(1, 50), 0)); // A renewal takes no room.
    assertFalse(pending.add(grant(4, 5 * second), 60)); // Grant 1 ended, but the last sweep was under a second ago.
    assertTrue(pending.add(grant(4, 5 * second), second)); // Swept: grant 1's room is free.
    assertEquals(List.of(grant(2, 5 * second), grant(4, 5 * second)), pending.live(second));
  }
}
