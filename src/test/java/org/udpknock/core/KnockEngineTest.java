package org.udpknock.core;

import static org.udpknock.core.CoreTestValues.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine's rules, one test or more per rule. Every test runs at several base times
 * (zero, negative, close to the end of the long range, random) because the engine must only
 * ever compare packet timestamps, never assume where they start.
 */
class KnockEngineTest {
  private RecordingListener events;
  private KnockEngine engine;
  private long base;

  private void start(long baseTime) {
    start(baseTime, KnockSequence.DEFAULT, TIMEOUT, 1_000);
  }

  private void start(long baseTime, KnockSequence sequence, long timeout, int maxSources) {
    base = baseTime;
    events = new RecordingListener(baseTime);
    engine = new KnockEngine(sequence, timeout, maxSources, events);
  }

  /** Feeds a datagram from IPv4 source {@code lo} at {@code offset} ns after the base time. */
  private void knock(long offset, long source, int port) {
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
  void rule4_theSequenceInOrderGrants(long baseTime) {
    start(baseTime);
    knock(0, A, 12001);
    knock(100 * MS, A, 12002);
    knock(200 * MS, A, 12003);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("100000000 knock 127.0.0.1 12002 2");
    events.take("200000000 knock 127.0.0.1 12003 3");
    events.take("200000000 granted 127.0.0.1");
    assertEquals(1, engine.grants());
    assertEquals(0, engine.attemptsInProgress());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule1_portsOutsideTheSequenceTouchNoState(long baseTime) {
    start(baseTime);
    knock(0, A, 12001);
    knock(1, A, 12000); // Neighbouring ports are not knocks: they must not reset the attempt.
    knock(2, A, 80);
    knock(3, A, 12004);
    knock(4, A, 12002);
    knock(5, A, 12003);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("4 knock 127.0.0.1 12002 2");
    events.take("5 knock 127.0.0.1 12003 3");
    events.take("5 granted 127.0.0.1");
    assertEquals(3, engine.knocks(), "only datagrams to sequence ports count as knocks");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule2_anotherSourceNeverDisturbsAnAttempt(long baseTime) {
    start(baseTime);
    knock(0, A, 12001);
    knock(1, B, 12001);
    knock(2, B, 12003); // B goes wrong: only B's attempt may end.
    knock(3, A, 12002);
    knock(4, C, 12001);
    knock(5, A, 12003);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("1 knock 127.0.0.2 12001 1");
    events.take("2 reset 127.0.0.2 wrong-port");
    events.take("3 knock 127.0.0.1 12002 2");
    events.take("4 knock 127.0.0.3 12001 1");
    events.take("5 knock 127.0.0.1 12003 3");
    events.take("5 granted 127.0.0.1");
  }

  /**
   * knockd regression: when the attempt at the head of its list was removed, it dropped the
   * whole list, so 10,000 noise sources made most valid sequences fail.
   */
  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule2_validSequencesSurviveTenThousandNoiseSources(long baseTime) {
    start(baseTime, KnockSequence.DEFAULT, TIMEOUT, 1_000_000);
    engine = new KnockEngine(KnockSequence.DEFAULT, TIMEOUT, 1_000_000, countingGrantsOf(A));
    java.util.Random random = new java.util.Random(7);
    int[] ports = {12001, 12002, 12003};
    int validStage = 0;
    for (int i = 0; i < 200_000; i++) {
      long noiseSource = Addresses.ipv4Lo(0x0A000000 | random.nextInt(10_000));
      engine.onDatagram(base + i * 1000L, 0, noiseSource, ports[random.nextInt(3)]);
      if (i % 50 == 0) {
        engine.onDatagram(base + i * 1000L, 0, A, ports[validStage]);
        validStage = (validStage + 1) % 3;
      }
    }
    assertEquals(200_000 / 50 / 3, grantsOfA, "every valid sequence of A must be granted");
  }

  private int grantsOfA;

  private KnockListener countingGrantsOf(long source) {
    return new KnockListener() {
      @Override
      public void knock(long t, long hi, long lo, int port, int stage) {}

      @Override
      public void granted(long t, long hi, long lo) {
        if (lo == source) {
          grantsOfA++;
        }
      }

      @Override
      public void reset(long t, long hi, long lo, ResetReason reason) {}
    };
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule3_withoutAnAttemptOnlyTheFirstPortCounts(long baseTime) {
    start(baseTime);
    knock(0, A, 12002);
    knock(1, A, 12003);
    events.assertNoMoreEvents();
    assertEquals(0, engine.attemptsInProgress());
    knock(2, A, 12001);
    events.take("2 knock 127.0.0.1 12001 1");
    assertEquals(1, engine.attemptsInProgress());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule4_aGrantClearsTheAttemptSoTheSourceCanKnockAgain(long baseTime) {
    start(baseTime);
    for (int round = 0; round < 2; round++) {
      long t = round * 10 * SECOND;
      knock(t, A, 12001);
      knock(t + 1, A, 12002);
      knock(t + 2, A, 12003);
      events.take(t + " knock 127.0.0.1 12001 1");
      events.take((t + 1) + " knock 127.0.0.1 12002 2");
      events.take((t + 2) + " knock 127.0.0.1 12003 3");
      events.take((t + 2) + " granted 127.0.0.1");
    }
    knock(30 * SECOND, A, 12002); // After the grant, a stray knock starts nothing.
    assertEquals(2, engine.grants());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule4_aRepeatOfTheAcceptedPortIsIgnored(long baseTime) {
    start(baseTime);
    knock(0, A, 12001);
    knock(1, A, 12001); // duplicate at stage 1: not a restart, the start time stays 0
    knock(2, A, 12002);
    knock(3, A, 12002);
    knock(TIMEOUT, A, 12003);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("2 knock 127.0.0.1 12002 2");
    events.take(TIMEOUT + " knock 127.0.0.1 12003 3");
    events.take(TIMEOUT + " granted 127.0.0.1");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule4_theFirstPortRestartsWithANewStartTime(long baseTime) {
    start(baseTime);
    knock(0, A, 12001);
    knock(1 * SECOND, A, 12002);
    knock(3 * SECOND, A, 12001); // restart: the timeout now counts from 3 s
    knock(4 * SECOND, A, 12002);
    knock(8 * SECOND, A, 12003); // 8 s after the first knock, 5 s after the restart
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("1000000000 knock 127.0.0.1 12002 2");
    events.take("3000000000 knock 127.0.0.1 12001 1");
    events.take("4000000000 knock 127.0.0.1 12002 2");
    events.take("8000000000 knock 127.0.0.1 12003 3");
    events.take("8000000000 granted 127.0.0.1");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule4_anyOtherSequencePortDropsTheAttempt(long baseTime) {
    start(baseTime);
    knock(0, A, 12001);
    knock(1, A, 12003);
    knock(2, A, 12002); // no attempt any more: ignored
    knock(3, A, 12003);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("1 reset 127.0.0.1 wrong-port");
    assertEquals(0, engine.attemptsInProgress());
    assertEquals(1, engine.wrongPort());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule5_lastMinusFirstEqualToTheTimeoutIsGranted(long baseTime) {
    start(baseTime);
    knock(0, A, 12001);
    knock(TIMEOUT - 1, A, 12002);
    knock(TIMEOUT, A, 12003);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take((TIMEOUT - 1) + " knock 127.0.0.1 12002 2");
    events.take(TIMEOUT + " knock 127.0.0.1 12003 3");
    events.take(TIMEOUT + " granted 127.0.0.1");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule5_oneNanosecondLateExpiresTheAttemptFirst(long baseTime) {
    start(baseTime);
    knock(0, A, 12001);
    knock(1, A, 12002);
    knock(TIMEOUT + 1, A, 12003);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("1 knock 127.0.0.1 12002 2");
    events.take((TIMEOUT + 1) + " reset 127.0.0.1 expired");
    assertEquals(0, engine.grants());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule5_theLateKnockIsThenHandledAsFromANewSource(long baseTime) {
    start(baseTime);
    knock(0, A, 12001);
    knock(TIMEOUT + 1, A, 12001); // expires the old attempt, then starts a new one
    knock(TIMEOUT + 2, A, 12002);
    knock(TIMEOUT + 3, A, 12003);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take((TIMEOUT + 1) + " reset 127.0.0.1 expired");
    events.take((TIMEOUT + 1) + " knock 127.0.0.1 12001 1");
    events.take((TIMEOUT + 2) + " knock 127.0.0.1 12002 2");
    events.take((TIMEOUT + 3) + " knock 127.0.0.1 12003 3");
    events.take((TIMEOUT + 3) + " granted 127.0.0.1");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule5_timeGoingBackwardsCountsAsNoTimeElapsed(long baseTime) {
    start(baseTime);
    knock(10 * SECOND, A, 12001);
    knock(1 * SECOND, A, 12002); // 9 s before the start: elapsed 0, not negative, not expired
    knock(15 * SECOND, A, 12003); // exactly the timeout after the start
    events.take("10000000000 knock 127.0.0.1 12001 1");
    events.take("1000000000 knock 127.0.0.1 12002 2");
    events.take("15000000000 knock 127.0.0.1 12003 3");
    events.take("15000000000 granted 127.0.0.1");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule5_expiredAttemptsArePurgedAsTimeAdvances(long baseTime) {
    start(baseTime);
    knock(0, A, 12001);
    knock(1, B, 12001);
    knock(TIMEOUT + 2, C, 12001); // C's knock moves time past A's and B's deadlines
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("1 knock 127.0.0.2 12001 1");
    events.take((TIMEOUT + 2) + " reset 127.0.0.1 expired");
    events.take((TIMEOUT + 2) + " reset 127.0.0.2 expired");
    events.take((TIMEOUT + 2) + " knock 127.0.0.3 12001 1");
    assertEquals(1, engine.attemptsInProgress());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule6_purgeWorkPerPacketIsBounded(long baseTime) {
    start(baseTime, KnockSequence.DEFAULT, TIMEOUT, 1_000);
    for (int i = 0; i < 100; i++) {
      engine.onDatagram(base, 0, Addresses.ipv4Lo(0x0A000000 + i), 12001);
    }
    events.clear();
    knock(TIMEOUT + 1, A, 12002); // not even a knock that starts anything
    assertTrue(events.pending() <= 8, "one packet purged " + events.pending() + " attempts");
    assertTrue(events.pending() > 0, "expired attempts must be purged as time advances");
    events.clear();
    engine.purgeExpired(base + TIMEOUT + 1, Integer.MAX_VALUE);
    assertEquals(0, engine.attemptsInProgress());
    events.clear();
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule6_whenFullTheOldestAttemptIsEvicted(long baseTime) {
    start(baseTime, KnockSequence.DEFAULT, TIMEOUT, 2);
    knock(0, A, 12001);
    knock(1, B, 12001);
    knock(2, C, 12001);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("1 knock 127.0.0.2 12001 1");
    events.take("2 reset 127.0.0.1 evicted"); // making room for C comes first
    events.take("2 knock 127.0.0.3 12001 1");
    assertEquals(1, engine.evicted());
    knock(3, B, 12002); // B and C are still tracked
    knock(4, C, 12002);
    knock(5, A, 12002); // A was evicted: ignored
    events.take("3 knock 127.0.0.2 12002 2");
    events.take("4 knock 127.0.0.3 12002 2");
    assertEquals(2, engine.attemptsInProgress());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule6_aRestartMakesTheAttemptTheNewestForEviction(long baseTime) {
    start(baseTime, KnockSequence.DEFAULT, TIMEOUT, 2);
    knock(0, A, 12001);
    knock(1, B, 12001);
    knock(2, A, 12002);
    knock(3, A, 12001); // restart: A is now newer than B
    knock(4, C, 12001);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("1 knock 127.0.0.2 12001 1");
    events.take("2 knock 127.0.0.1 12002 2");
    events.take("3 knock 127.0.0.1 12001 1");
    events.take("4 reset 127.0.0.2 evicted");
    events.take("4 knock 127.0.0.3 12001 1");
  }

  private static final long D = Addresses.ipv4Lo(0x7F000004); // 127.0.0.4
  private static final long E = Addresses.ipv4Lo(0x7F000005); // 127.0.0.5

  /**
   * Issue 9: a victim's first two knocks, then 1,000,100 spoofed first knocks, then its third:
   * not granted, because each spoofed knock evicted the oldest attempt, and the victim's was it.
   */
  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule6_firstKnocksEvictFirstKnocksNeverAnAttemptAtStageTwo(long baseTime) {
    start(baseTime, KnockSequence.DEFAULT, TIMEOUT, 3);
    knock(0, A, 12001);
    knock(1, A, 12002);
    knock(2, B, 12001);
    knock(3, C, 12001); // full: A at stage 2, B and C at stage 1
    knock(4, D, 12001); // evicts B, the oldest first knock, not the older A
    knock(5, E, 12001);
    knock(6, A, 12003);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("1 knock 127.0.0.1 12002 2");
    events.take("2 knock 127.0.0.2 12001 1");
    events.take("3 knock 127.0.0.3 12001 1");
    events.take("4 reset 127.0.0.2 evicted");
    events.take("4 knock 127.0.0.4 12001 1");
    events.take("5 reset 127.0.0.3 evicted");
    events.take("5 knock 127.0.0.5 12001 1");
    events.take("6 knock 127.0.0.1 12003 3");
    events.take("6 granted 127.0.0.1");
    assertEquals(2, engine.evicted());
  }

  /** The flood, scaled down: room for 1,000 sources and 1,100 spoofed first knocks. */
  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule6_aVictimAtStageTwoIsGrantedAfterMoreSpoofedFirstKnocksThanThereIsRoom(long baseTime) {
    start(baseTime, KnockSequence.DEFAULT, TIMEOUT, 1_000);
    knock(0, A, 12001);
    knock(1, A, 12002);
    for (int i = 0; i < 1_100; i++) {
      knock(2 + i, Addresses.ipv4Lo(0x0A010000 + i), 12001);
    }
    knock(2_000, A, 12003);
    assertEquals(1, engine.grants());
    assertEquals(1_100 - 999, engine.evicted());
    assertEquals(1_000 - 1, engine.attemptsInProgress());
    events.clear();
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule6_withOnlyAttemptsAtStageTwoLeftTheOldestOfThemIsEvicted(long baseTime) {
    start(baseTime, KnockSequence.DEFAULT, TIMEOUT, 2);
    knock(0, A, 12001);
    knock(1, B, 12001);
    knock(2, B, 12002); // B reaches stage 2 before A does: B is the older of the two there
    knock(3, A, 12002);
    knock(4, C, 12001);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("1 knock 127.0.0.2 12001 1");
    events.take("2 knock 127.0.0.2 12002 2");
    events.take("3 knock 127.0.0.1 12002 2");
    events.take("4 reset 127.0.0.2 evicted");
    events.take("4 knock 127.0.0.3 12001 1");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule6_aRestartPutsAnAttemptAtStageTwoBackAmongTheFirstKnocks(long baseTime) {
    start(baseTime, KnockSequence.DEFAULT, TIMEOUT, 2);
    knock(0, A, 12001);
    knock(1, A, 12002);
    knock(2, B, 12001);
    knock(3, B, 12002);
    knock(4, A, 12001); // restart: A is a first knock again, so the first to go
    knock(5, C, 12001);
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("1 knock 127.0.0.1 12002 2");
    events.take("2 knock 127.0.0.2 12001 1");
    events.take("3 knock 127.0.0.2 12002 2");
    events.take("4 knock 127.0.0.1 12001 1");
    events.take("5 reset 127.0.0.1 evicted");
    events.take("5 knock 127.0.0.3 12001 1");
  }

  /**
   * Issue 9: after an OutOfMemoryError in growing the table, every new source failed, real
   * knocks too. Now the table keeps the slots it has, says so once, and evicts instead.
   */
  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule6_whenTheHeapCannotGrowTheTableTheOldestIsEvictedAndKnocksStillGrant(long baseTime) {
    base = baseTime;
    events = new RecordingListener(baseTime);
    AttemptTable table = new AttemptTable(1_000_000, new AttemptTableTest.FailingAbove(1024));
    engine = new KnockEngine(KnockSequence.DEFAULT, ScanGuard.off(KnockSequence.DEFAULT), TIMEOUT, table, events);
    for (int i = 0; i < 1024; i++) {
      knock(i, Addresses.ipv4Lo(0x0A000000 + i), 12001);
    }
    events.clear();
    knock(2_000, A, 12001);
    knock(2_001, A, 12002);
    knock(2_002, Addresses.ipv4Lo(0x0B000000), 12001);
    knock(2_003, A, 12003);
    events.take("2000 capped 1024");
    events.take("2000 reset 10.0.0.0 evicted");
    events.take("2000 knock 127.0.0.1 12001 1");
    events.take("2001 knock 127.0.0.1 12002 2");
    events.take("2002 reset 10.0.0.1 evicted");
    events.take("2002 knock 11.0.0.0 12001 1");
    events.take("2003 knock 127.0.0.1 12003 3");
    events.take("2003 granted 127.0.0.1");
    assertEquals(1, engine.grants());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule5_expiredAttemptsAtStageTwoArePurgedToo(long baseTime) {
    start(baseTime);
    knock(0, A, 12001);
    knock(1, A, 12002);
    knock(SECOND, B, 12001); // the newer list's head is younger: purging must look at both
    knock(TIMEOUT + 2, C, 12003); // not a first knock: starts nothing, but moves time
    events.take("0 knock 127.0.0.1 12001 1");
    events.take("1 knock 127.0.0.1 12002 2");
    events.take(SECOND + " knock 127.0.0.2 12001 1");
    events.take((TIMEOUT + 2) + " reset 127.0.0.1 expired");
    assertEquals(1, engine.attemptsInProgress());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule7_anotherSequenceAndTimeout(long baseTime) {
    start(baseTime, KnockSequence.of(7000, 8000, 9000), 500 * MS, 1_000);
    knock(0, A, 12001);
    knock(1, A, 7000);
    knock(2, A, 8000);
    knock(500 * MS + 2, A, 9000); // 500 ms + 1 ns after the first knock
    knock(600 * MS, B, 7000);
    knock(700 * MS, B, 8000);
    knock(1100 * MS, B, 9000);
    events.take("1 knock 127.0.0.1 7000 1");
    events.take("2 knock 127.0.0.1 8000 2");
    events.take("500000002 reset 127.0.0.1 expired");
    events.take("600000000 knock 127.0.0.2 7000 1");
    events.take("700000000 knock 127.0.0.2 8000 2");
    events.take("1100000000 knock 127.0.0.2 9000 3");
    events.take("1100000000 granted 127.0.0.2");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule7_aOnePortSequenceGrantsAtOnce(long baseTime) {
    start(baseTime, KnockSequence.of(4000), TIMEOUT, 10);
    knock(0, A, 4000);
    events.take("0 knock 127.0.0.1 4000 1");
    events.take("0 granted 127.0.0.1");
    assertEquals(0, engine.attemptsInProgress());
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void rule7_repeatedPortsInTheSequenceAdvanceBeforeCountingAsDuplicates(long baseTime) {
    start(baseTime, KnockSequence.of(7000, 7000, 8000), TIMEOUT, 10);
    knock(0, A, 7000);
    knock(1, A, 7000); // expected port: advances
    knock(2, A, 7000); // now a duplicate of the port just accepted
    knock(3, A, 8000);
    events.take("0 knock 127.0.0.1 7000 1");
    events.take("1 knock 127.0.0.1 7000 2");
    events.take("3 knock 127.0.0.1 8000 3");
    events.take("3 granted 127.0.0.1");
  }

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void ipv6SourcesAreTrackedApartFromIpv4(long baseTime) {
    start(baseTime);
    engine.onDatagram(base, 0, 1, 12001); // ::1
    knock(1, A, 12001);
    engine.onDatagram(base + 2, 0, 1, 12002);
    engine.onDatagram(base + 3, 0, 1, 12003);
    events.take("0 knock ::1 12001 1");
    events.take("1 knock 127.0.0.1 12001 1");
    events.take("2 knock ::1 12002 2");
    events.take("3 knock ::1 12003 3");
    events.take("3 granted ::1");
  }

  @org.junit.jupiter.api.Test
  void badConfigurationIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> KnockSequence.of());
    assertThrows(IllegalArgumentException.class, () -> KnockSequence.of(0));
    assertThrows(IllegalArgumentException.class, () -> KnockSequence.of(65536));
    assertThrows(IllegalArgumentException.class, () -> KnockSequence.of(new int[33]));
    assertThrows(IllegalArgumentException.class,
        () -> new KnockEngine(KnockSequence.DEFAULT, -1, 10, KnockListener.NONE));
    assertThrows(IllegalArgumentException.class,
        () -> new KnockEngine(KnockSequence.DEFAULT, TIMEOUT, 0, KnockListener.NONE));
  }
}
