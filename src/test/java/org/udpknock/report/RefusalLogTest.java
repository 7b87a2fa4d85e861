package org.udpknock.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Refusal lines are capped per window; the rest are summarized once the window is over. */
class RefusalLogTest {
  private static final long SECOND = 1_000_000_000L;

  @ParameterizedTest
  @ValueSource(longs = {0, -7 * SECOND, Long.MAX_VALUE - 3 * SECOND, Long.MIN_VALUE + 1})
  void aThousandRefusalsInOneSecondGiveTenLinesAndOneSummary(long base) {
    RefusalLog log = new RefusalLog(10, SECOND);
    int lines = 0;
    for (int i = 0; i < 1000; i++) {
      if (log.admit(base + i * 1_000_000L)) { // one a millisecond: all within the window
        lines++;
      }
    }
    assertEquals(10, lines);
    assertNull(log.takeSummary(base + SECOND - 1), "the window is not over yet");
    RefusalLog.Summary summary = log.takeSummary(base + SECOND);
    assertEquals(new RefusalLog.Summary(990, 1000), summary);
    assertNull(log.takeSummary(base + 5 * SECOND), "a summary is given once");
  }

  @ParameterizedTest
  @ValueSource(longs = {0, Long.MAX_VALUE - 3 * SECOND})
  void aFewRefusalsAreAllLoggedAndNeedNoSummary(long base) {
    RefusalLog log = new RefusalLog(10, SECOND);
    for (int i = 0; i < 10; i++) {
      assertTrue(log.admit(base + i));
    }
    assertNull(log.takeSummary(base + 2 * SECOND));
    assertNull(log.takeFinalSummary());
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -SECOND})
  void aNewWindowLogsLinesAgainAndTheFinalSummaryCountsTheOpenWindow(long base) {
    RefusalLog log = new RefusalLog(2, SECOND);
    log.admit(base);
    log.admit(base);
    assertFalse(log.admit(base));
    // At base + 1 s the first window is over: the next refusal gets a line of its own again.
    assertTrue(log.admit(base + SECOND));
    assertTrue(log.admit(base + SECOND));
    assertFalse(log.admit(base + SECOND));
    assertFalse(log.admit(base + SECOND));
    assertEquals(new RefusalLog.Summary(1 + 2, 3 + 4), log.takeFinalSummary());
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 5 * SECOND})
  void timeGoingBackwardsKeepsTheWindowOpen(long base) {
    RefusalLog log = new RefusalLog(1, SECOND);
    assertTrue(log.admit(base));
    assertFalse(log.admit(base - 10 * SECOND));
    assertNull(log.takeSummary(base - 10 * SECOND));
    assertEquals(new RefusalLog.Summary(1, 2), log.takeSummary(base + SECOND));
  }
}
