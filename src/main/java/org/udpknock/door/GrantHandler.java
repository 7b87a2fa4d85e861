package org.udpknock.door;

import org.udpknock.core.GrantTable;

/**
 * Where a door's grants go once its table holds them: the server hands them to the doors'
 * actions; replay drops them ({@link #NONE}).
 */
public interface GrantHandler {
  /**
   * {@code door} granted the source until {@code expiresAtNanos}; its table holds the grant
   * already. Called on the capture thread: returns at once, never waits.
   */
  void opened(Door door, long sourceHi, long sourceLo, long expiresAtNanos);

  /** A grant of {@code door} left its table: ended, or evicted to make room (on the capture thread). */
  void closed(Door door, GrantTable.Removal removal);

  GrantHandler NONE = new GrantHandler() {
    @Override
    public void opened(Door door, long sourceHi, long sourceLo, long expiresAtNanos) {}

    @Override
    public void closed(Door door, GrantTable.Removal removal) {}
  };
}
