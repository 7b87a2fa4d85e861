package org.udpknock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.udpknock.core.CoreTestValues.*;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, metrics: the engine's resets by reason ({@link KnockEngine#resets}) are exactly the
 * resets its listener hears, each reason apart. Before, guard resets were not counted at all, so
 * metrics could not say how many attempts a sweep broke; and every count can be read from another
 * thread (opaque), which this test cannot see but the metrics test reads.
 */
class KnockEngineCountsTest {
  private final Map<ResetReason, AtomicLong> heard = new EnumMap<>(ResetReason.class);
  private final KnockListener listener = new KnockListener() {
    @Override
    public void knock(long timeNanos, long sourceHi, long sourceLo, int port, int stage) {}

    @Override
    public void granted(long timeNanos, long sourceHi, long sourceLo) {}

    @Override
    public void reset(long timeNanos, long sourceHi, long sourceLo, ResetReason reason) {
      heard.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }
  };

  @Test
  void eachResetIsCountedUnderItsReason() {
    KnockSequence sequence = KnockSequence.DEFAULT; // 12001, 12002, 12003
    for (boolean blocking : new boolean[] {true, false}) {
      heard.clear();
      ScanGuard guard = blocking ? ScanGuard.of(sequence, ScanGuard.DEFAULT_DISTANCE) : ScanGuard.off(sequence);
      KnockEngine engine = new KnockEngine(sequence, guard, TIMEOUT, 2, listener);
      engine.onDatagram(0, 0, A, 12001);
      engine.onDatagram(1, 0, A, 12003); // wrong port
      engine.onDatagram(2, 0, B, 12001);
      engine.onDatagram(TIMEOUT + 3, 0, B, 12002); // B's attempt expired
      engine.onDatagram(TIMEOUT + 4, 0, A, 12001);
      engine.onDatagram(TIMEOUT + 5, 0, B, 12001);
      engine.onDatagram(TIMEOUT + 6, 0, C, 12001); // the table holds 2: the oldest (A) is evicted
      if (blocking) {
        engine.onDatagram(TIMEOUT + 7, 0, B, 12004); // a guard port next to the sequence
      }
      for (ResetReason reason : ResetReason.values()) {
        long expected = heard.containsKey(reason) ? heard.get(reason).get() : 0;
        assertEquals(expected, engine.resets(reason), reason + ", guard " + blocking);
      }
      assertEquals(1, engine.resets(ResetReason.WRONG_PORT));
      assertEquals(1, engine.resets(ResetReason.EXPIRED));
      assertEquals(1, engine.resets(ResetReason.EVICTED));
      assertEquals(blocking ? 1 : 0, engine.resets(ResetReason.GUARD));
      assertEquals(engine.wrongPort(), engine.resets(ResetReason.WRONG_PORT));
    }
  }
}
