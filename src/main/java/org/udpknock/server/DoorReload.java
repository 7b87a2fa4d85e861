package org.udpknock.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.udpknock.door.DoorConfig;

/**
 * What a reload may change, and what it may not: the doors, but neither the settings made at
 * start ({@link ServerSettings}) nor what only exists from the start on (the command runner).
 * The nftables table follows the doors ({@link DoorGuards}).
 */
final class DoorReload {
  /** Doors of the new set that kept their rules (and so their attempts and grants), new ones, and the old ones ended. */
  record Outcome(int kept, int added, int removed) {}

  private DoorReload() {}

  /** The settings of {@code next} that differ from {@code now}, by their config keys; null when none does. */
  static String restartOnly(ServerSettings now, ServerSettings next) {
    List<String> changed = new ArrayList<>();
    note(changed, "interface", now.interfaceName(), next.interfaceName());
    note(changed, "json", now.json(), next.json());
    note(changed, "quiet", now.quiet(), next.quiet());
    note(changed, "max_sources", now.maxSources(), next.maxSources());
    note(changed, "max_grants", now.maxGrants(), next.maxGrants());
    note(changed, "capture_buffer", now.captureBufferBytes(), next.captureBufferBytes());
    note(changed, "any_destination", now.anyDestination(), next.anyDestination());
    note(changed, "wait_for_interface", now.waitForInterface(), next.waitForInterface());
    note(changed, "nftables", now.nftMode(), next.nftMode());
    note(changed, "nft_table", now.nftTable(), next.nftTable());
    note(changed, "metrics", now.metrics(), next.metrics());
    note(changed, "grant_store", now.fleet(), next.fleet());
    return changed.isEmpty() ? null : String.join(", ", changed);
  }

  private static void note(List<String> changed, String key, Object now, Object next) {
    if (!Objects.equals(now, next)) {
      changed.add(key);
    }
  }

  /**
   * Refuses, in one sentence, doors that only a restart can give: commands when the server
   * started without any (no command runner runs).
   *
   * @throws IllegalArgumentException saying which door and why
   */
  static void refuse(List<DoorConfig> next, boolean commandsRun) {
    for (DoorConfig door : next) {
      if (!commandsRun && !door.commands().isEmpty()) {
        throw new IllegalArgumentException("door \"" + door.name() + "\" has on_open or on_close commands, and the"
            + " server was started without any: restart udpknock to apply them");
      }
    }
  }
}
