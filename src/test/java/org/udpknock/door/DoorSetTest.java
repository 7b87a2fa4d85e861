package org.udpknock.door;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.udpknock.core.KnockSequence;
import org.udpknock.report.EventWriter;

/** Which doors watch a port, and what a reload keeps. */
class DoorSetTest {
  private static final EventWriter WRITER = EventWriter.create(false, new PrintWriter(Writer.nullWriter()));
  private static final DoorWiring WIRING = DoorWiring.replay(100, Long.MIN_VALUE, true);

  private static DoorConfig door(String name, int guard, int... sequence) {
    return DoorConfig.defaultDoor().named(name)
        .withRules(new DoorConfig.KnockRules(KnockSequence.of(sequence), 5_000_000_000L, guard, null));
  }

  @Test
  void eachPortGoesToTheDoorsWhoseSequenceOrGuardCoversIt() {
    DoorSet set = DoorSet.open(List.of(door("a", 0, 100, 200), door("b", 10, 200, 300)), WRITER, WIRING);
    Door a = set.doors().get(0);
    Door b = set.doors().get(1);
    assertArrayEquals(new Door[] {a}, set.at(100));
    assertArrayEquals(new Door[] {a, b}, set.at(200), "a shared port goes to both, in the doors' order");
    assertArrayEquals(new Door[] {b}, set.at(190), "b's guard band");
    assertArrayEquals(new Door[] {b}, set.at(310));
    assertEquals(0, set.at(311).length);
    assertEquals(0, set.at(0).length);
    assertEquals(0, set.at(65535).length);
  }

  @Test
  void aReloadKeepsADoorWhoseRulesAreUnchangedAndStartsOthersEmpty() {
    DoorSet before = DoorSet.open(List.of(door("kept", 0, 1, 2), door("changed", 0, 3, 4),
        door("removed", 0, 5, 6)), WRITER, WIRING);
    before.doors().get(0).grants().grant(0, 1, 0);
    DoorConfig keptWithOtherGreeting = new DoorConfig("kept", before.doors().get(0).config().rules(),
        DoorConfig.DEFAULT_OPEN_FOR_NANOS, ActionKind.GREET, 2300, null, "hi", DoorConfig.DEFAULT_WRITE_TIMEOUT_NANOS,
        null, DoorConfig.DEFAULT_CONNECT_TIMEOUT_NANOS, DoorConfig.DEFAULT_MAX_CONNECTIONS, Commands.NONE,
        Sharing.NONE);
    DoorSet after = before.successor(List.of(keptWithOtherGreeting, door("changed", 0, 3, 7), door("new", 0, 8, 9)),
        WRITER, WIRING);

    assertSame(before.doors().get(0).engine(), after.doors().get(0).engine(), "same rules: same attempts");
    assertTrue(after.doors().get(0).grants().isGranted(0, 1, 1), "and the same grants");
    assertEquals("hi", after.doors().get(0).config().greeting(), "with its new settings");
    assertNotSame(before.doors().get(1).engine(), after.doors().get(1).engine(), "new rules: a new engine");
    assertEquals(List.of("changed", "removed"), before.removedBy(after).stream().map(Door::name).toList());
    assertEquals(0, after.doors().get(2).grants().size());
  }
}
