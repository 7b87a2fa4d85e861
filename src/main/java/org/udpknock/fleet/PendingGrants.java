package org.udpknock.fleet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The grants made while the store was unreachable, to publish once it is back: one per door and
 * source (a renewal replaces the earlier end, the later end wins), expired ones dropped, at most
 * {@code capacity}. Used by the store's worker thread only.
 */
final class PendingGrants {
  private record Key(String door, long sourceHi, long sourceLo) {}

  private final Map<Key, SharedGrant> grants = new LinkedHashMap<>();
  private final int capacity;
  /** A full map is swept of expired grants at most once a second: a sweep reads every entry. */
  private long nextSweepNanos = Long.MIN_VALUE;

  PendingGrants(int capacity) {
    this.capacity = capacity;
  }

  /** False when it was full even of live grants: the grant is not kept (the caller counts it). */
  boolean add(SharedGrant grant, long nowNanos) {
    if (grant.expiresAtNanos() <= nowNanos) {
      return true; // Ended already: nothing to publish, nothing lost.
    }
    Key key = new Key(grant.door(), grant.sourceHi(), grant.sourceLo());
    SharedGrant earlier = grants.get(key);
    if (earlier != null) {
      grants.put(key, earlier.expiresAtNanos() >= grant.expiresAtNanos() ? earlier : grant);
      return true;
    }
    if (grants.size() >= capacity && nowNanos >= nextSweepNanos) {
      grants.values().removeIf(g -> g.expiresAtNanos() <= nowNanos);
      nextSweepNanos = nowNanos + 1_000_000_000L;
    }
    if (grants.size() >= capacity) {
      return false;
    }
    grants.put(key, grant);
    return true;
  }

  /** The grants still live at {@code nowNanos}, in the order they were first made. */
  List<SharedGrant> live(long nowNanos) {
    List<SharedGrant> live = new ArrayList<>(grants.size());
    for (SharedGrant grant : grants.values()) {
      if (grant.expiresAtNanos() > nowNanos) {
        live.add(grant);
      }
    }
    return live;
  }

  void clear() {
    grants.clear();
  }

  int size() {
    return grants.size();
  }
}
