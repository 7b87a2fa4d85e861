package org.udpknock.door;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The checks that span doors, made at start (and on reload) before anything is opened. */
public final class DoorList {
  private DoorList() {}

  /**
   * Why these doors cannot run together, in one sentence, or null when they can: two doors with
   * one name, two listening doors on one TCP port.
   */
  public static String refusal(List<DoorConfig> doors) {
    if (doors.isEmpty()) {
      return "there is no door; give at least one [[door]]";
    }
    Set<String> names = new HashSet<>();
    Map<Integer, String> listeners = new HashMap<>();
    for (DoorConfig door : doors) {
      if (!names.add(door.name())) {
        return "two doors are named '" + door.name() + "'; give each door a name of its own";
      }
      String other = door.action().listens() ? listeners.putIfAbsent(door.port(), door.name()) : null;
      if (other != null) {
        return "doors '" + other + "' and '" + door.name() + "' both listen on TCP port " + door.port()
            + "; give each listening door a port of its own";
      }
    }
    return null;
  }
}
