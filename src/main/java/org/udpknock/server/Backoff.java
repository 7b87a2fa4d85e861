package org.udpknock.server;

/**
 * Delays between attempts to open a capture: {@code first}, doubling, capped at {@code max}.
 * A failed libpcap open leaks a small native handle (shared/notes/pcap4j.md), so retries are
 * never a tight loop; a success starts the schedule over.
 */
final class Backoff {
  static final long FIRST_MILLIS = 100;
  static final long MAX_MILLIS = 5_000;

  private final long firstMillis;
  private final long maxMillis;
  private long nextMillis;

  Backoff(long firstMillis, long maxMillis) {
    if (firstMillis <= 0 || maxMillis < firstMillis) {
      throw new IllegalArgumentException("backoff " + firstMillis + " ms to " + maxMillis + " ms");
    }
    this.firstMillis = firstMillis;
    this.maxMillis = maxMillis;
    this.nextMillis = firstMillis;
  }

  static Backoff standard() {
    return new Backoff(FIRST_MILLIS, MAX_MILLIS);
  }

  /** How long to wait before the next attempt; each call doubles the following one, up to the cap. */
  long nextDelayMillis() {
    long delay = nextMillis;
    nextMillis = Math.min(maxMillis, nextMillis * 2);
    return delay;
  }

  /** After a success: the next failure waits {@code first} again. */
  void reset() {
    nextMillis = firstMillis;
  }
}
