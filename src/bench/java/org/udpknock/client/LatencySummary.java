package org.udpknock.client;

import java.util.Arrays;

/**
 * Order statistics of a set of latencies. Percentiles are nearest-rank: the p-th percentile is the
 * smallest sample such that at least p percent of the samples are less than or equal to it, so it
 * is always one of the samples (of 1..100, p50 is 50 and p99 is 99; of 1..1000, p99 is 990).
 */
public final class LatencySummary {
  private final long[] sorted;

  public LatencySummary(long[] samples) {
    this.sorted = samples.clone();
    Arrays.sort(sorted);
  }

  public int count() {
    return sorted.length;
  }

  /** The {@code percent}-th percentile, {@code percent} in 1-100; there must be samples. */
  public long percentile(int percent) {
    if (percent < 1 || percent > 100) {
      throw new IllegalArgumentException("percent must be 1-100, not " + percent);
    }
    if (sorted.length == 0) {
      throw new IllegalStateException("no samples, so no percentile");
    }
    long rank = ((long) percent * sorted.length + 99) / 100; // ceil(percent / 100 * n), exactly
    return sorted[(int) rank - 1];
  }

  public long min() {
    return percentileOrThrow(0);
  }

  public long max() {
    return percentileOrThrow(sorted.length - 1);
  }

  private long percentileOrThrow(int index) {
    if (sorted.length == 0) {
      throw new IllegalStateException("no samples, so no minimum or maximum");
    }
    return sorted[index];
  }
}
