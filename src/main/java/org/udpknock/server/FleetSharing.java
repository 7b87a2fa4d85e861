package org.udpknock.server;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.udpknock.action.ActionQueue;
import org.udpknock.action.DoorAction;
import org.udpknock.core.GrantTable;
import org.udpknock.door.Door;
import org.udpknock.fleet.GrantStore;
import org.udpknock.fleet.SharedGrant;
import org.udpknock.report.EventWriter;

/**
 * A server's part in a fleet: publishes the grants of its shared doors to the {@link GrantStore}
 * (from the capture thread, without waiting), and applies the other hosts' grants to the doors
 * of the same name here, through each door's action, until they end. Grants from other hosts
 * go into the door's grant table, so a greet or forward door serves them and the timer ends
 * them as its own.
 */
final class FleetSharing implements GrantStore.Receiver {
  /** Refused messages logged per second at most: a flood of forged messages cannot flood the log. */
  private static final int REFUSALS_LOGGED_PER_SECOND = 5;
  private static final long SECOND_NANOS = 1_000_000_000L;

  private final GrantStore store;
  private final String storeName;
  private final Supplier<List<Door>> doors;
  private final Function<Door, DoorAction> actions;
  private final ActionQueue queue;
  private final ServerEvents events;
  private final EventWriter writer;
  private final Clock clock;
  private final RemovalLog removals;
  private final AtomicLong applied = new AtomicLong();
  /** Written and read on the store's thread only. */
  private boolean lostSinceConnected;
  private long refusalWindowStart;
  private int refusalsLoggedInWindow;
  private long refusalsNotLogged;

  /** How the server logs a grant removed to make room for a shared one. */
  interface RemovalLog {
    void removed(Door door, GrantTable.Removal removal);
  }

  FleetSharing(GrantStore store, String storeName, Supplier<List<Door>> doors, Function<Door, DoorAction> actions,
      ActionQueue queue, ServerEvents events, EventWriter writer, Clock clock, RemovalLog removals) {
    this.store = store;
    this.storeName = storeName;
    this.doors = doors;
    this.actions = actions;
    this.queue = queue;
    this.events = events;
    this.writer = writer;
    this.clock = clock;
    this.removals = removals;
  }

  void start(String hostName) {
    events.grantStoreJoining(storeName, hostName);
    store.start(this);
  }

  /**
   * On the capture thread, for every grant: a shared door's is queued for the store, never
   * waited on (the store drops a link-local source, which names an interface of this host only).
   */
  void granted(Door door, long sourceHi, long sourceLo, long expiresAtNanos) {
    if (door.config().sharing().shared()) {
      store.publish(new SharedGrant(door.name(), sourceHi, sourceLo, expiresAtNanos));
    }
  }

  /** Grants applied from other hosts so far (each new grant or renewal that the door's table took). */
  long applied() {
    return applied.get();
  }

  GrantStore.FleetCounts counts() {
    return store.counts();
  }

  void close() {
    store.close();
  }

  @Override
  public void received(SharedGrant grant, String host) {
    Door door = sharedDoor(grant.door());
    if (door == null) {
      return; // Not a shared door here: another door of the same name on this host stays its own.
    }
    GrantTable.SharedOutcome outcome = door.grantShared(grant.sourceHi(), grant.sourceLo(), grant.expiresAtNanos());
    if (outcome.madeRoom() != null) {
      removals.removed(door, outcome.madeRoom());
    }
    if (outcome.applied()) {
      applied.incrementAndGet();
      events.forDoor(door.name()).sharedGrant(writer.address(grant.sourceHi(), grant.sourceLo()), host,
          outcome.endNanos());
      hand(door, outcome.madeRoom(), grant, outcome.endNanos());
    }
  }

  private Door sharedDoor(String name) {
    for (Door door : doors.get()) {
      if (door.name().equals(name)) {
        return door.config().sharing().shared() ? door : null;
      }
    }
    return null;
  }

  /** To the door's action, on the action thread: this thread may wait for room, the capture never does. */
  private void hand(Door door, GrantTable.Removal madeRoom, SharedGrant grant, long until) {
    DoorAction action = actions.apply(door);
    if (action == null) {
      return;
    }
    try {
      if (madeRoom != null) {
        queue.putClosed(action, madeRoom.sourceHi(), madeRoom.sourceLo());
      }
      queue.putOpenedElsewhere(action, grant.sourceHi(), grant.sourceLo(), until);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public synchronized void refused(String reason, String detail) {
    long now = clock.nowNanos();
    if (now - refusalWindowStart >= SECOND_NANOS) {
      refusalWindowStart = now;
      refusalsLoggedInWindow = 0;
    }
    if (refusalsLoggedInWindow++ < REFUSALS_LOGGED_PER_SECOND) {
      events.grantMessageRefused(reason, detail, refusalsNotLogged);
      refusalsNotLogged = 0;
    } else {
      refusalsNotLogged++;
    }
  }

  @Override
  public void lost(String why) {
    lostSinceConnected = true;
    events.grantStoreLost(storeName, why);
  }

  /** The first connection is {@code grant-store-connected}; one after a loss, {@code grant-store-resumed}. */
  @Override
  public void resumed(int loaded, int republished) {
    if (lostSinceConnected) {
      events.grantStoreResumed(storeName, loaded, republished);
    } else {
      events.grantStoreConnected(storeName, loaded);
    }
    lostSinceConnected = false;
  }
}
