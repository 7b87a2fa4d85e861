package org.udpknock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;

/** Records engine events as text; tests take them in order and must leave none behind. */
final class RecordingListener implements KnockListener {
  private final Deque<String> events = new ArrayDeque<>();
  private final long baseNanos;

  /** Times are recorded relative to {@code baseNanos}, so tests read the same at any base time. */
  RecordingListener(long baseNanos) {
    this.baseNanos = baseNanos;
  }

  @Override
  public void knock(long timeNanos, long sourceHi, long sourceLo, int port, int stage) {
    events.add((timeNanos - baseNanos) + " knock " + Addresses.format(sourceHi, sourceLo) + " "
        + port + " " + stage);
  }

  @Override
  public void granted(long timeNanos, long sourceHi, long sourceLo) {
    events.add((timeNanos - baseNanos) + " granted " + Addresses.format(sourceHi, sourceLo));
  }

  @Override
  public void reset(long timeNanos, long sourceHi, long sourceLo, ResetReason reason) {
    events.add((timeNanos - baseNanos) + " reset " + Addresses.format(sourceHi, sourceLo) + " "
        + reason.label());
  }

  @Override
  public void guardTripped(long timeNanos, long sourceHi, long sourceLo, int port) {
    events.add((timeNanos - baseNanos) + " guard " + Addresses.format(sourceHi, sourceLo) + " " + port);
  }

  @Override
  public void knockBlocked(long timeNanos, long sourceHi, long sourceLo, int port) {
    events.add((timeNanos - baseNanos) + " blocked " + Addresses.format(sourceHi, sourceLo) + " " + port);
  }

  @Override
  public void trackingCapped(long timeNanos, int capacity) {
    events.add((timeNanos - baseNanos) + " capped " + capacity);
  }

  void take(String expected) {
    String actual = events.poll();
    assertNotNull(actual, "no more events; expected: " + expected);
    assertEquals(expected, actual);
  }

  void assertNoMoreEvents() {
    assertTrue(events.isEmpty(), "unexpected events: " + events);
  }

  int pending() {
    return events.size();
  }

  void clear() {
    events.clear();
  }
}
