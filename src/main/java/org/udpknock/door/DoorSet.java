package org.udpknock.door;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.udpknock.report.EventWriter;

/**
 * The doors that share one capture, and which of them watch each port: {@link #at} is O(1),
 * an array indexed by port. Immutable: a reload builds the next set with {@link #successor},
 * and the capture thread swaps it in between two frames.
 */
public final class DoorSet {
  private static final Door[] NONE = new Door[0];

  private final List<Door> doors;
  private final Door[][] byPort = new Door[65536][];

  private DoorSet(List<Door> doors) {
    this.doors = List.copyOf(doors);
    for (Door door : this.doors) {
      for (int[] range : door.engine().guard().watchedPortRanges()) {
        for (int port = range[0]; port <= range[1]; port++) {
          byPort[port] = append(byPort[port], door);
        }
      }
    }
  }

  /** New doors, each empty, in the order given. */
  public static DoorSet open(List<DoorConfig> configs, EventWriter writer, DoorWiring wiring) {
    List<Door> doors = new ArrayList<>();
    for (DoorConfig config : configs) {
      doors.add(Door.open(config, writer, wiring));
    }
    return new DoorSet(doors);
  }

  /** Doors built already, e.g. around an engine of a test's making. */
  public static DoorSet of(List<Door> doors) {
    return new DoorSet(doors);
  }

  /**
   * The set a reload to {@code configs} makes: a door of the same name whose rules are unchanged
   * keeps its engine, attempts and grants (its other settings may change); any other starts
   * empty. See {@link #removedBy} for the doors whose grants must end.
   */
  public DoorSet successor(List<DoorConfig> configs, EventWriter writer, DoorWiring wiring) {
    Map<String, Door> current = new HashMap<>();
    doors.forEach(door -> current.put(door.name(), door));
    List<Door> next = new ArrayList<>();
    for (DoorConfig config : configs) {
      Door kept = current.get(config.name());
      boolean sameRules = kept != null && kept.config().rules().equals(config.rules())
          && kept.config().openForNanos() == config.openForNanos();
      next.add(sameRules ? kept.reconfigured(config) : Door.open(config, writer, wiring));
    }
    return new DoorSet(next);
  }

  /** The doors of this set that {@code next} does not keep: their grants end, as an expiry would. */
  public List<Door> removedBy(DoorSet next) {
    List<Door> removed = new ArrayList<>();
    for (Door door : doors) {
      if (next.doors.stream().noneMatch(kept -> kept.engine() == door.engine())) {
        removed.add(door);
      }
    }
    return removed;
  }

  /** Whether a door reads the datagrams' payloads: an authenticated door's verifier does. */
  public boolean readsPayloads() {
    return doors.stream().anyMatch(door -> door.verifier() != null);
  }

  /** The doors whose sequence or guard covers {@code port}; empty for none. */
  public Door[] at(int port) {
    Door[] watching = byPort[port];
    return watching == null ? NONE : watching;
  }

  public List<Door> doors() {
    return doors;
  }

  public List<DoorConfig> configs() {
    return doors.stream().map(Door::config).toList();
  }

  private static Door[] append(Door[] doors, Door door) {
    if (doors == null) {
      return new Door[] {door};
    }
    Door[] longer = java.util.Arrays.copyOf(doors, doors.length + 1);
    longer[doors.length] = door;
    return longer;
  }
}
