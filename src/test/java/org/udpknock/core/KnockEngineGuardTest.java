package org.udpknock.core;

import static org.udpknock.core.CoreTestValues.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scan guard: a datagram to a port next to the sequence marks its source as a scanner.
 * Every timing test runs at several base times, as in {@link KnockEngineTest}.
 */
class KnockEngineGuardTest {
  private RecordingListener events;
  private KnockEngine engine;
  private long base;

  private void start(long baseTime) {
    start(baseTime, KnockSequence.DEFAULT, ScanGuard.DEFAULT_DISTANCE, 1_000);
  }

  private void start(long baseTime, KnockSequence sequence, int guard, int maxSources) {
    base = baseTime;
    events = new RecordingListener(baseTime);
    engine = new KnockEngine(sequence, ScanGuard.of(sequence, guard), TIMEOUT, maxSources, events);
  }

  private void send(long offset, long source, int port) {
    engine.onDatagram(base + offset, 0, source, port);
  }

  @AfterEach
  void noEventLeftOver() {
    if (events != null) {
      events.assertNoMoreEvents();
    }
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void aGuardHitDropsTheAttemptAndBlocksTheSource(long baseTime) {
    start(baseTime);
    send(0, A, 12001);
    send(1, A, 12002);
    send(2, A, 12004); // just above the highest port
    send(3, A, 12003); // would have granted
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("1 knock 127.0.0.1 12002 2");
    events.take("2 guard 127.0.0.1 12004");
    events.take("2 reset 127.0.0.1 guard");
    assertEquals(0, engine.grants());
    assertEquals(0, engine.attemptsInProgress());
    assertEquals(1, engine.blockedSources());
  }

  /** knockd is opened this way: an ascending sweep walks through 12001, 12002, 12003 in order. */
  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void anAscendingSweepIsNotGrantedAndTripsTheGuardOnce(long baseTime) {
    start(baseTime);
    for (int port = 11000; port <= 13000; port++) {
      send((port - 11000) * 500_000L, A, port);
    }
    events.take((11901 - 11000) * 500_000L + " guard 127.0.0.1 11901");
    events.take((12001 - 11000) * 500_000L + " blocked 127.0.0.1 12001");
    assertEquals(0, engine.grants());
    assertEquals(3, engine.knocks(), "guard hits are not knocks");
    assertEquals(100 + 100, engine.guardHits(), "11901-12000 and 12004-12103");
    assertEquals(1, engine.blockedKnocks(), "the sweep's 12001");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void aDescendingSweepIsBlockedToo(long baseTime) {
    start(baseTime);
    for (int port = 13000; port >= 11000; port--) {
      send((13000 - port) * 500_000L, A, port);
    }
    events.take((13000 - 12103) * 500_000L + " guard 127.0.0.1 12103");
    events.take((13000 - 12001) * 500_000L + " blocked 127.0.0.1 12001");
    assertEquals(0, engine.grants());
    assertEquals(1, engine.blockedKnocks());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void aBlockedSourceCannotStartAnAttemptWithinTheTimeoutOfItsLastHit(long baseTime) {
    start(baseTime);
    send(0, A, 11950);
    send(1 * SECOND, A, 12050); // refreshes the block: the window now ends at 6 s
    send(1 * SECOND + TIMEOUT, A, 12001); // exactly the timeout after the last hit: still blocked
    events.take("0 guard 127.0.0.1 11950");
    events.take((1 * SECOND + TIMEOUT) + " blocked 127.0.0.1 12001");
    assertEquals(1, engine.blockedKnocks());
    assertEquals(0, engine.attemptsInProgress());
    send(1 * SECOND + TIMEOUT + 1, A, 12001); // one nanosecond later: free
    send(1 * SECOND + TIMEOUT + 2, A, 12002);
    send(1 * SECOND + TIMEOUT + 3, A, 12003);
    long t = 1 * SECOND + TIMEOUT;
    events.take((t + 1) + " knock 127.0.0.1 12001 1");
    events.take((t + 2) + " knock 127.0.0.1 12002 2");
    events.take((t + 3) + " knock 127.0.0.1 12003 3");
    events.take((t + 3) + " granted 127.0.0.1");
    assertEquals(1, engine.blockedKnocks());
    assertEquals(0, engine.blockedSources());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void onlyFirstPortKnocksOfABlockedSourceCountAsBlocked(long baseTime) {
    start(baseTime);
    send(0, A, 12000);
    send(1, A, 12002);
    send(2, A, 12003);
    send(3, A, 12001);
    events.take("0 guard 127.0.0.1 12000");
    events.take("3 blocked 127.0.0.1 12001");
    assertEquals(3, engine.knocks());
    assertEquals(1, engine.guardHits());
    assertEquals(1, engine.blockedKnocks());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void timeGoingBackwardsCountsAsNoTimeElapsedSinceTheHit(long baseTime) {
    start(baseTime);
    send(10 * SECOND, A, 12010);
    send(1 * SECOND, A, 12001); // 9 s before the hit: no time elapsed, blocked
    send(2 * SECOND, A, 12010); // an earlier-stamped hit must not shorten the block
    send(15 * SECOND, A, 12001); // exactly the timeout after the latest hit: blocked
    events.take("10000000000 guard 127.0.0.1 12010");
    events.take("1000000000 blocked 127.0.0.1 12001");
    events.take("15000000000 blocked 127.0.0.1 12001");
    assertEquals(2, engine.blockedKnocks());
    send(15 * SECOND + 1, A, 12001);
    events.take("15000000001 knock 127.0.0.1 12001 1");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void otherSourcesAreUnaffected(long baseTime) {
    start(baseTime);
    send(0, B, 12001);
    send(1, A, 12004);
    send(2, B, 12002);
    send(3, C, 12001);
    send(4, B, 12003);
    events.take("0 knock 127.0.0.2 12001 1");
    events.take("1 guard 127.0.0.1 12004");
    events.take("2 knock 127.0.0.2 12002 2");
    events.take("3 knock 127.0.0.3 12001 1");
    events.take("4 knock 127.0.0.2 12003 3");
    events.take("4 granted 127.0.0.2");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void portsBeyondTheGuardTouchNoState(long baseTime) {
    start(baseTime);
    send(0, A, 12001);
    send(1, A, 11900); // lowest - 101
    send(2, A, 12104); // highest + 101
    send(3, A, 80);
    send(4, A, 12002);
    send(5, A, 12003);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("4 knock 127.0.0.1 12002 2");
    events.take("5 knock 127.0.0.1 12003 3");
    events.take("5 granted 127.0.0.1");
    assertEquals(0, engine.guardHits());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void guardZeroIsThePlainRule(long baseTime) {
    start(baseTime, KnockSequence.DEFAULT, 0, 1_000);
    send(0, A, 12000);
    send(1, A, 12001);
    send(2, A, 12004);
    send(3, A, 12002);
    send(4, A, 11999);
    send(5, A, 12003);
    events.take("1 knock 127.0.0.1 12001 1");
    events.take("3 knock 127.0.0.1 12002 2");
    events.take("5 knock 127.0.0.1 12003 3");
    events.take("5 granted 127.0.0.1");
    assertEquals(0, engine.guardHits());
    assertEquals(3, engine.knocks());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void blocksArePurgedSilentlyAfterTheTimeout(long baseTime) {
    start(baseTime);
    send(0, A, 12004);
    send(1, B, 12004);
    events.take("0 guard 127.0.0.1 12004");
    events.take("1 guard 127.0.0.2 12004");
    assertEquals(2, engine.blockedSources());
    send(TIMEOUT + 2, C, 80); // not a watched port: nothing happens, not even a purge
    assertEquals(2, engine.blockedSources());
    send(TIMEOUT + 2, C, 12002); // a knock moves time past both blocks: no reset event for them
    assertEquals(0, engine.blockedSources());
    assertEquals(0, engine.expired(), "a block ending is not an expired attempt");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void blocksShareTheBoundedTableAndTheOldestIsEvicted(long baseTime) {
    start(baseTime, KnockSequence.DEFAULT, ScanGuard.DEFAULT_DISTANCE, 2);
    send(0, A, 12004); // A blocked: the oldest entry
    send(1, B, 12001);
    send(2, C, 12001); // table full: A's block is evicted, silently
    events.take("0 guard 127.0.0.1 12004");
    events.take("1 knock 127.0.0.2 12001 1");
    events.take("2 knock 127.0.0.3 12001 1");
    assertEquals(0, engine.blockedSources());
    assertEquals(2, engine.attemptsInProgress());
    assertEquals(0, engine.evicted(), "evicted counts attempts");
    send(3, A, 12000); // a block evicts the oldest attempt, B
    events.take("3 reset 127.0.0.2 evicted");
    events.take("3 guard 127.0.0.1 12000");
    assertEquals(1, engine.blockedSources());
    assertEquals(1, engine.attemptsInProgress());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void aRefreshMakesTheBlockTheNewestEntry(long baseTime) {
    start(baseTime, KnockSequence.DEFAULT, ScanGuard.DEFAULT_DISTANCE, 2);
    send(0, A, 12004);
    send(1, B, 12001);
    send(2, A, 12005); // refresh: A is now newer than B
    send(3, C, 12001); // evicts B, not A
    events.take("0 guard 127.0.0.1 12004");
    events.take("1 knock 127.0.0.2 12001 1");
    events.take("3 reset 127.0.0.2 evicted");
    events.take("3 knock 127.0.0.3 12001 1");
    assertEquals(1, engine.blockedSources());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void anAttemptExpiredAtTheHitIsResetAsExpiredFirst(long baseTime) {
    start(baseTime);
    send(0, A, 12001);
    send(TIMEOUT + 1, A, 12004);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take((TIMEOUT + 1) + " reset 127.0.0.1 expired");
    events.take((TIMEOUT + 1) + " guard 127.0.0.1 12004");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void aOnePortSequenceIsGuardedToo(long baseTime) {
    start(baseTime, KnockSequence.of(4000), 10, 10);
    send(0, A, 3990);
    send(1, A, 4000);
    send(2, A, 3989);
    send(3, A, 4011);
    send(TIMEOUT + 2, A, 4000);
    events.take("0 guard 127.0.0.1 3990");
    events.take("1 blocked 127.0.0.1 4000");
    events.take((TIMEOUT + 2) + " knock 127.0.0.1 4000 1");
    events.take((TIMEOUT + 2) + " granted 127.0.0.1");
    assertEquals(1, engine.blockedKnocks());
  }

  /** An ascending sweep that starts exactly on the first port of a non-contiguous sequence. */
  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void portsJustAboveTheFirstPortAreGuarded(long baseTime) {
    start(baseTime, KnockSequence.of(7000, 7500, 8000), 100, 10);
    for (int port = 7000; port <= 8000; port++) {
      send(port - 7000, A, port);
    }
    events.take("0 knock 127.0.0.1 7000 1");
    events.take("1 guard 127.0.0.1 7001");
    events.take("1 reset 127.0.0.1 guard");
    assertEquals(0, engine.grants());
  }

  @Test
  void guardPortsAreWithinTheDistanceOfTheLowestOrHighestPortAndNotInTheSequence() {
    ScanGuard guard = ScanGuard.of(KnockSequence.of(7000, 8000, 9000, 7000), 100);
    assertTrue(guard.covers(6900));
    assertTrue(guard.covers(7100));
    assertTrue(guard.covers(8900));
    assertTrue(guard.covers(9100));
    assertFalse(guard.covers(6899));
    assertFalse(guard.covers(7101));
    assertFalse(guard.covers(8000), "a sequence port");
    assertFalse(guard.covers(7999), "near a middle port only");
    assertFalse(guard.covers(9101));
    ScanGuard edge = ScanGuard.of(KnockSequence.of(1, 65535), 5);
    assertTrue(edge.covers(6));
    assertTrue(edge.covers(65530));
    assertFalse(edge.covers(0));
    assertFalse(edge.covers(65536));
    assertFalse(ScanGuard.of(KnockSequence.DEFAULT, 0).covers(12000));
  }

  @Test
  void watchedRangesMergeTheSequenceAndTheGuard() {
    assertEquals(List.of("11901-12103"), ranges(ScanGuard.of(KnockSequence.DEFAULT, 100)));
    assertEquals(List.of("12001-12003"), ranges(ScanGuard.of(KnockSequence.DEFAULT, 0)));
    assertEquals(List.of("6900-7100", "8000-8000", "8900-9100"),
        ranges(ScanGuard.of(KnockSequence.of(7000, 8000, 9000), 100)));
    assertEquals(List.of("1-11", "65525-65535"), ranges(ScanGuard.of(KnockSequence.of(1, 65535), 10)));
    assertEquals(List.of("7000-7000", "9000-9000"), ranges(ScanGuard.of(KnockSequence.of(9000, 7000), 0)));
  }

  private static List<String> ranges(ScanGuard guard) {
    return guard.watchedPortRanges().stream().map(r -> r[0] + "-" + r[1]).collect(Collectors.toList());
  }

  @Test
  void contiguousMonotonicAndOnePortSequencesAreSweepable() {
    assertTrue(ScanGuard.sweepCompletes(KnockSequence.DEFAULT));
    assertTrue(ScanGuard.sweepCompletes(KnockSequence.of(5003, 5002, 5001)));
    assertTrue(ScanGuard.sweepCompletes(KnockSequence.of(4000)));
    assertFalse(ScanGuard.sweepCompletes(KnockSequence.of(12001, 12003, 12002)));
    assertFalse(ScanGuard.sweepCompletes(KnockSequence.of(12001, 12002, 12004)));
    assertFalse(ScanGuard.sweepCompletes(KnockSequence.of(12001, 12001)));
    assertFalse(ScanGuard.sweepCompletes(KnockSequence.of(7000, 8000, 9000)));
  }

  /**
   * Issue 9: one spoofed datagram to 12000 every 2 s kept a victim out for good. For a sequence
   * no sweep completes, a guard hit now only drops the attempt, which one spoofed out-of-order
   * knock could do anyway, and blocks no one.
   */
  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void whereNoSweepCompletesTheSequenceAGuardHitOnlyDropsTheAttempt(long baseTime) {
    KnockSequence sequence = KnockSequence.of(15218, 12912, 17484);
    start(baseTime, sequence, 100, 10);
    send(0, A, 15218);
    send(1, A, 12913); // spoofed from A's address
    send(2, A, 15218); // not blocked: A starts again at once
    send(3, B, 17483); // no attempt: no event, no state
    send(4, A, 12912);
    send(5, A, 17484);
    events.take("0 knock 127.0.0.1 15218 1");
    events.take("1 guard 127.0.0.1 12913");
    events.take("1 reset 127.0.0.1 guard");
    events.take("2 knock 127.0.0.1 15218 1");
    events.take("4 knock 127.0.0.1 12912 2");
    events.take("5 knock 127.0.0.1 17484 3");
    events.take("5 granted 127.0.0.1");
    assertEquals(2, engine.guardHits());
    assertEquals(0, engine.blockedSources());
    assertEquals(0, engine.blockedKnocks());
  }

  /** A sweep of a gapped sequence is caught between its ports: the drop alone defeats it. */
  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void aSweepOfASequenceWithAGapIsDefeatedWithoutABlock(long baseTime) {
    KnockSequence sequence = KnockSequence.of(12001, 12002, 12010);
    start(baseTime, sequence, 100, 10);
    for (int port = 11000; port <= 13000; port++) {
      send(port - 11000, A, port);
    }
    events.take("1001 knock 127.0.0.1 12001 1");
    events.take("1002 knock 127.0.0.1 12002 2");
    events.take("1003 guard 127.0.0.1 12003");
    events.take("1003 reset 127.0.0.1 guard");
    assertEquals(0, engine.grants());
  }

  @Test
  void theGuardBlocksOnlyWhereASweepCouldPassFromTheFirstPortToTheLast() {
    assertTrue(ScanGuard.of(KnockSequence.DEFAULT, 100).blocks());
    assertTrue(ScanGuard.of(KnockSequence.of(5003, 5002, 5001), 100).blocks());
    assertTrue(ScanGuard.of(KnockSequence.of(4000), 10).blocks());
    assertFalse(ScanGuard.of(KnockSequence.DEFAULT, 0).blocks(), "no guard, no block");
    assertFalse(ScanGuard.of(KnockSequence.of(15218, 12912, 17484), 100).blocks(), "out of order");
    assertFalse(ScanGuard.of(KnockSequence.of(12001, 12001, 12002), 100).blocks(), "a repeat");
    assertFalse(ScanGuard.of(KnockSequence.of(7000, 7500, 8000), 100).blocks(), "7001 is guarded");
    assertFalse(ScanGuard.of(KnockSequence.of(8000, 7500, 7000), 1).blocks(), "7999 is guarded");
    // Gaps beyond the guard's reach from both ends: a sweep passes them unguarded.
    assertTrue(ScanGuard.of(KnockSequence.of(12001, 12002, 12003, 12010, 12011, 12012), 1).blocks());
    assertFalse(ScanGuard.of(KnockSequence.of(12001, 12002, 12003, 12010, 12011, 12012), 3).blocks());
  }

  @Test
  void badDistancesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> ScanGuard.of(KnockSequence.DEFAULT, -1));
    assertThrows(IllegalArgumentException.class,
        () -> ScanGuard.of(KnockSequence.DEFAULT, ScanGuard.MAX_DISTANCE + 1));
  }

  /**
   * Issue 9, what held up: sweeps in random order (as nmap scans) are blocked too. Each sweep
   * here visits 11000-13000 in a random order in which 12001, 12002, 12003 come in sequence
   * order, so that without the guard it opens the default sequence (checked first).
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void aRandomOrderSweepThatWouldCompleteTheSequenceIsNotGranted(long seed) {
    List<Integer> sweep = randomSweepThroughTheSequenceInOrder(new Random(seed));
    for (int guard : new int[] {0, ScanGuard.DEFAULT_DISTANCE}) {
      start(0, KnockSequence.DEFAULT, guard, 1_000);
      for (int i = 0; i < sweep.size(); i++) {
        send(i * 1_000_000L, A, sweep.get(i)); // 1 ms apart: 2 s in all, within the timeout
      }
      assertEquals(guard == 0 ? 1 : 0, engine.grants(), "guard " + guard + ", seed " + seed);
      events.clear();
    }
    assertTrue(engine.guardHits() > 0);
  }

  private static List<Integer> randomSweepThroughTheSequenceInOrder(Random random) {
    List<Integer> ports = new ArrayList<>();
    for (int port = 11000; port <= 13000; port++) {
      ports.add(port);
    }
    Collections.shuffle(ports, random);
    int[] sequence = KnockSequence.DEFAULT.ports();
    int next = 0;
    for (int i = 0; i < ports.size(); i++) {
      int port = ports.get(i);
      if (port >= sequence[0] && port <= sequence[sequence.length - 1]) {
        ports.set(i, sequence[next++]); // the sequence's ports, in its order, where the shuffle put them
      }
    }
    return ports;
  }
}
