package org.udpknock.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LatencySummaryTest {

  /** 1..n in a shuffled order: the summary must not depend on the order samples came in. */
  private static long[] shuffledOneTo(int n) {
    List<Long> values = new ArrayList<>();
    for (long v = 1; v <= n; v++) {
      values.add(v);
    }
    Collections.shuffle(values, new Random(42));
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  @Test
  void nearestRankOfOneToAHundred() {
    LatencySummary summary = new LatencySummary(shuffledOneTo(100));
    assertEquals(100, summary.count());
    assertEquals(1, summary.min());
    assertEquals(1, summary.percentile(1));
    assertEquals(50, summary.percentile(50));
    assertEquals(99, summary.percentile(99));
    assertEquals(100, summary.percentile(100));
    assertEquals(100, summary.max());
  }

  @Test
  void nearestRankOfOneToAThousand() {
    LatencySummary summary = new LatencySummary(shuffledOneTo(1000));
    assertEquals(500, summary.percentile(50));
    assertEquals(990, summary.percentile(99)); // 10 samples above it: 1% of 1000
    assertEquals(1000, summary.max());
  }

  @Test
  void aPercentileRoundsItsRankUpToASample() {
    // n = 3: p50 has rank ceil(1.5) = 2, p99 rank ceil(2.97) = 3, p1 rank ceil(0.03) = 1.
    LatencySummary summary = new LatencySummary(new long[] {30, 10, 20});
    assertEquals(10, summary.percentile(1));
    assertEquals(20, summary.percentile(50));
    assertEquals(30, summary.percentile(99));
    // n = 20 (the quick mode): p99 is the maximum, p50 the 10th value.
    LatencySummary twenty = new LatencySummary(shuffledOneTo(20));
    assertEquals(10, twenty.percentile(50));
    assertEquals(20, twenty.percentile(99));
  }

  @Test
  void oneSampleIsEveryPercentile() {
    LatencySummary summary = new LatencySummary(new long[] {7});
    assertEquals(7, summary.min());
    assertEquals(7, summary.percentile(1));
    assertEquals(7, summary.percentile(50));
    assertEquals(7, summary.percentile(99));
    assertEquals(7, summary.max());
  }

  @Test
  void equalSamplesAndLargeValues() {
    long big = Long.MAX_VALUE - 1;
    LatencySummary summary = new LatencySummary(new long[] {big, 5, 5, 5, big});
    assertEquals(5, summary.percentile(60)); // rank 3
    assertEquals(big, summary.percentile(61)); // rank ceil(3.05) = 4
  }

  @Test
  void theSamplesAreCopied() {
    long[] samples = {3, 1, 2};
    LatencySummary summary = new LatencySummary(samples);
    samples[0] = 1000;
    assertEquals(3, summary.max());
  }

  @Test
  void noSamplesHaveNoPercentile() {
    LatencySummary summary = new LatencySummary(new long[0]);
    assertEquals(0, summary.count());
    assertThrows(IllegalStateException.class, () -> summary.percentile(50));
    assertThrows(IllegalStateException.class, summary::max);
    assertThrows(IllegalStateException.class, summary::min);
  }

  @Test
  void aPercentMustBeOneToAHundred() {
    LatencySummary summary = new LatencySummary(new long[] {1});
    assertThrows(IllegalArgumentException.class, () -> summary.percentile(0));
    assertThrows(IllegalArgumentException.class, () -> summary.percentile(101));
  }
}
