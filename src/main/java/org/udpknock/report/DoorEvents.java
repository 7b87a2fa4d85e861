package org.udpknock.report;

import org.udpknock.auth.RejectionListener;
import org.udpknock.auth.Verdict;
import org.udpknock.core.KnockListener;
import org.udpknock.core.ResetReason;

/**
 * One door's view of the {@link EventWriter}: each event it writes names the door, so neither
 * the engine nor the verifier needs to know which door they judge for. While the writer
 * {@linkplain EventWriter#deferTo defers}, the events are recorded instead, to be written later.
 */
public final class DoorEvents implements KnockListener, RejectionListener {
  private final EventWriter writer;
  private final String door;
  private final int sequenceLength;

  DoorEvents(EventWriter writer, String door, int sequenceLength) {
    this.writer = writer;
    this.door = door;
    this.sequenceLength = sequenceLength;
  }

  public String door() {
    return door;
  }

  public EventWriter writer() {
    return writer;
  }

  @Override
  public void knock(long timeNanos, long sourceHi, long sourceLo, int port, int stage) {
    DeferredEvents deferred = writer.deferred;
    if (deferred != null) {
      deferred.knock(this, timeNanos, sourceHi, sourceLo, port, stage);
    } else {
      writeKnock(timeNanos, sourceHi, sourceLo, port, stage);
    }
  }

  @Override
  public void granted(long timeNanos, long sourceHi, long sourceLo) {
    DeferredEvents deferred = writer.deferred;
    if (deferred != null) {
      deferred.granted(this, timeNanos, sourceHi, sourceLo);
    } else {
      writeGranted(timeNanos, sourceHi, sourceLo);
    }
  }

  @Override
  public void reset(long timeNanos, long sourceHi, long sourceLo, ResetReason reason) {
    DeferredEvents deferred = writer.deferred;
    if (deferred != null) {
      deferred.reset(this, timeNanos, sourceHi, sourceLo, reason);
    } else {
      writeReset(timeNanos, sourceHi, sourceLo, reason);
    }
  }

  @Override
  public void guardTripped(long timeNanos, long sourceHi, long sourceLo, int port) {
    DeferredEvents deferred = writer.deferred;
    if (deferred != null) {
      deferred.guardTripped(this, timeNanos, sourceHi, sourceLo, port);
    } else {
      writeGuardTripped(timeNanos, sourceHi, sourceLo, port);
    }
  }

  /** Rate-limited across doors, by packet time: see {@link EventWriter}. */
  @Override
  public void knockBlocked(long timeNanos, long sourceHi, long sourceLo, int port) {
    DeferredEvents deferred = writer.deferred;
    if (deferred != null) {
      deferred.knockBlocked(this, timeNanos, sourceHi, sourceLo, port);
    } else {
      writeKnockBlocked(timeNanos, sourceHi, sourceLo, port);
    }
  }

  @Override
  public void trackingCapped(long timeNanos, int capacity) {
    DeferredEvents deferred = writer.deferred;
    if (deferred != null) {
      deferred.trackingCapped(this, timeNanos, capacity);
    } else {
      writeTrackingCapped(timeNanos, capacity);
    }
  }

  @Override
  public void rejected(long timeNanos, long sourceHi, long sourceLo, int port, Verdict reason) {
    DeferredEvents deferred = writer.deferred;
    if (deferred != null) {
      deferred.rejected(this, timeNanos, sourceHi, sourceLo, port, reason);
    } else {
      writeRejected(timeNanos, sourceHi, sourceLo, port, reason);
    }
  }

  // The writes themselves, now or from DeferredEvents.writeAll.

  void writeKnock(long timeNanos, long sourceHi, long sourceLo, int port, int stage) {
    writer.knock(door, sequenceLength, timeNanos, sourceHi, sourceLo, port, stage);
  }

  void writeGranted(long timeNanos, long sourceHi, long sourceLo) {
    writer.granted(door, timeNanos, sourceHi, sourceLo);
  }

  void writeReset(long timeNanos, long sourceHi, long sourceLo, ResetReason reason) {
    writer.reset(door, timeNanos, sourceHi, sourceLo, reason);
  }

  void writeGuardTripped(long timeNanos, long sourceHi, long sourceLo, int port) {
    writer.guardTripped(door, timeNanos, sourceHi, sourceLo, port);
  }

  void writeKnockBlocked(long timeNanos, long sourceHi, long sourceLo, int port) {
    writer.knockBlocked(door, timeNanos, sourceHi, sourceLo, port);
  }

  void writeTrackingCapped(long timeNanos, int capacity) {
    writer.trackingCapped(door, timeNanos, capacity);
  }

  void writeRejected(long timeNanos, long sourceHi, long sourceLo, int port, Verdict reason) {
    writer.rejected(door, timeNanos, sourceHi, sourceLo, port, reason);
  }

  /** A server event of this door: service-open, served, grant-expired, ... */
  public void serverEvent(String event, long timeNanos, String source, Object... fields) {
    writer.doorEvent(door, event, timeNanos, source, fields);
  }

  /** The text form of an address key, as {@link EventWriter#address}. */
  public String address(long hi, long lo) {
    return writer.address(hi, lo);
  }
}
