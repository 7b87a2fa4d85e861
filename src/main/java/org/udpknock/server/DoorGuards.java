package org.udpknock.server;

import java.util.List;
import org.udpknock.door.DoorConfig;

/**
 * The kernel's guard of each guarded door (listening and nftables doors), made at start and
 * changed with the doors at a reload: udpknock's nftables table, and one grant worker per door.
 */
public interface DoorGuards {
  /** No kernel guard: every door gets {@link AccessControl#NONE}, and a reload changes nothing. */
  DoorGuards NONE = new DoorGuards() {
    @Override
    public AccessControl forDoor(DoorConfig door) {
      return AccessControl.NONE;
    }

    @Override
    public void guard(List<DoorConfig> doors, boolean dropOthers) {}
  };

  AccessControl forDoor(DoorConfig door);

  /**
   * Makes the table's rules and sets match {@code doors} in one transaction (a kept door's set
   * keeps its elements) and starts a worker for each door without one. With {@code dropOthers},
   * also deletes the sets of other doors, which ends their grants in the kernel, and closes their
   * workers; without, their sets stay (unused) so that going back loses nothing.
   *
   * @throws IllegalArgumentException in one sentence, the table as it was
   */
  void guard(List<DoorConfig> doors, boolean dropOthers);
}
