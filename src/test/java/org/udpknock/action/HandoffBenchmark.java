package org.udpknock.action;

import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The time from a grant offered on the capture thread to its action running on the action
 * thread, with the action thread parked in between (grants come one at a time, as knocks do).
 * Not a unit test: run with {@code java -cp target/test-classes:target/classes
 * org.udpknock.action.HandoffBenchmark [SAMPLES] [GAP_MICROS]}.
 */
public final class HandoffBenchmark {
  private HandoffBenchmark() {}

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    long gapNanos = (args.length > 1 ? Long.parseLong(args[1]) : 200) * 1000L;
    long[] latencies = new long[samples];
    int[] done = {0};
    DoorAction recorder = new DoorAction() {
      @Override public void start() {}

      @Override public void opened(long hi, long offeredAt, long expiresAt) {
        latencies[done[0]++] = System.nanoTime() - offeredAt;
      }

      @Override public void closed(long hi, long lo) {}

      @Override public void close() {}
    };
    ActionQueue queue = new ActionQueue(ActionQueue.DEFAULT_CAPACITY, new ActionQueue.Failures() {
      @Override public void failed(DoorAction action, RuntimeException failure) {}

      @Override public void dropped(long total) {}
    }).start();
    for (int i = 0; i < samples; i++) {
      queue.offerOpened(recorder, 0, System.nanoTime(), 0);
      LockSupport.parkNanos(gapNanos);
    }
    queue.close();
    long[] sorted = Arrays.copyOf(latencies, done[0]);
    Arrays.sort(sorted);
    System.out.printf("hand-off, %d grants %d us apart: p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
        sorted.length, gapNanos / 1000, at(sorted, 0.50), at(sorted, 0.99), at(sorted, 0.999),
        sorted[sorted.length - 1] / 1000.0);
  }

  private static double at(long[] sorted, double quantile) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] / 1000.0;
  }
}
