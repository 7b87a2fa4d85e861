package org.udpknock.door;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.udpknock.core.KnockSequence;
import org.udpknock.server.ServerConfig;
import org.udpknock.server.ServerSettings;

/** Doors that cannot run together are refused at start, in one sentence. */
class DoorListTest {
  private static DoorConfig door(String name, ActionKind action, int port, int... sequence) {
    return DoorConfig.defaultDoor().named(name).withAction(action, port)
        .withRules(new DoorConfig.KnockRules(KnockSequence.of(sequence), 5_000_000_000L, 0, null));
  }

  @Test
  void twoDoorsWithOneNameAreRefused() {
    assertEquals("two doors are named 'ssh'; give each door a name of its own", DoorList.refusal(List.of(
        door("ssh", ActionKind.GREET, 2223, 1, 2, 3), door("ssh", ActionKind.GREET, 2224, 4, 5, 6))));
  }

  @Test
  void twoListeningDoorsOnOnePortAreRefused() {
    String refusal = "doors 'a' and 'b' both listen on TCP port 2222; give each listening door a port of its own";
    assertEquals(refusal, DoorList.refusal(List.of(
        door("a", ActionKind.GREET, 2222, 1, 2, 3), door("b", ActionKind.FORWARD, 2222, 4, 5, 6))));
    IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> new ServerConfig(
        ServerSettings.defaults("lo"), List.of(door("a", ActionKind.GREET, 2222, 1, 2, 3),
            door("b", ActionKind.GREET, 2222, 4, 5, 6))));
    assertEquals(refusal, thrown.getMessage());
  }

  /** Sequences may share ports, and a door that does not listen may name a listening door's port. */
  @Test
  void doorsMayShareKnockPortsAndANonListeningDoorAPort() {
    assertNull(DoorList.refusal(List.of(door("a", ActionKind.GREET, 2222, 1, 2, 3),
        door("b", ActionKind.NONE, 2222, 3, 2, 1), door("c", ActionKind.GREET, 2223, 2, 3, 1))));
  }
}
