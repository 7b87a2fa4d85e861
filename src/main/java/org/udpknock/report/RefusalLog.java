package org.udpknock.report;

/**
 * Keeps {@code refused} lines (and {@code blocked} ones) from flooding the log: in each window (one second by default,
 * starting at the first refusal after a quiet spell) the first few refusals get a line of their
 * own; the rest are only counted, and one summary line per window gives the count. Pure: the
 * time is an argument.
 */
public final class RefusalLog {
  public static final int LINES_PER_WINDOW = 10;
  public static final long WINDOW_NANOS = 1_000_000_000L;

  /** A finished window in which some refusals were not logged one by one. */
  public record Summary(long notLogged, long refused) {}

  private final int linesPerWindow;
  private final long windowNanos;
  private boolean windowOpen;
  private long windowStart;
  private long refusedInWindow;
  private long pendingNotLogged;
  private long pendingRefused;

  public RefusalLog(int linesPerWindow, long windowNanos) {
    this.linesPerWindow = linesPerWindow;
    this.windowNanos = windowNanos;
  }

  public static RefusalLog standard() {
    return new RefusalLog(LINES_PER_WINDOW, WINDOW_NANOS);
  }

  /** Counts one refusal at {@code nowNanos}; true when it gets a line of its own. */
  public boolean admit(long nowNanos) {
    endWindowIfOver(nowNanos);
    if (!windowOpen) {
      windowOpen = true;
      windowStart = nowNanos;
      refusedInWindow = 0;
    }
    refusedInWindow++;
    return refusedInWindow <= linesPerWindow;
  }

  /** The summary of the windows over by {@code nowNanos} that left refusals unlogged, or null. */
  public Summary takeSummary(long nowNanos) {
    endWindowIfOver(nowNanos);
    return pendingSummary();
  }

  /** At close: ends the current window whatever the time. */
  public Summary takeFinalSummary() {
    endWindow();
    return pendingSummary();
  }

  private Summary pendingSummary() {
    if (pendingNotLogged == 0) {
      return null;
    }
    Summary summary = new Summary(pendingNotLogged, pendingRefused);
    pendingNotLogged = 0;
    pendingRefused = 0;
    return summary;
  }

  private void endWindowIfOver(long nowNanos) {
    // Subtraction, not comparison of sums: safe near the ends of the long range.
    if (windowOpen && nowNanos - windowStart >= windowNanos) {
      endWindow();
    }
  }

  private void endWindow() {
    if (windowOpen && refusedInWindow > linesPerWindow) {
      pendingNotLogged += refusedInWindow - linesPerWindow;
      pendingRefused += refusedInWindow;
    }
    windowOpen = false;
  }
}
