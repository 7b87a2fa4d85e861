package org.udpknock.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sources that completed the sequence, each until its grant expires. Time is an argument of
 * every call (packet time when granting, the server's clock when checking), never read here.
 *
 * <p>Thread-safe: the capture thread grants, the listener checks, a timer expires.
 */
public final class GrantTable {
  /** A source whose grant ended. */
  public record Expired(long sourceHi, long sourceLo, long expiredAtNanos) {}

  private record Source(long hi, long lo) {}

  private final long durationNanos;
  private final int maxGrants;
  private final Map<Source, Long> expiryBySource = new HashMap<>();

  public GrantTable(long durationNanos, int maxGrants) {
    if (durationNanos <= 0) {
      throw new IllegalArgumentException("durationNanos <= 0: " + durationNanos);
    }
    if (maxGrants < 1) {
      throw new IllegalArgumentException("maxGrants < 1: " + maxGrants);
    }
    this.durationNanos = durationNanos;
    this.maxGrants = maxGrants;
  }

  /**
   * Grants {@code source} from {@code nowNanos} for the grant duration; a new grant of a source
   * already granted extends it. When the table is full, the grant closest to its end makes room.
   */
  public synchronized void grant(long sourceHi, long sourceLo, long nowNanos) {
    Source source = new Source(sourceHi, sourceLo);
    if (!expiryBySource.containsKey(source) && expiryBySource.size() >= maxGrants) {
      expiryBySource.remove(soonestToExpire());
    }
    expiryBySource.put(source, saturatedAdd(nowNanos, durationNanos));
  }

  /** True while the source's grant lasts: until {@code grant time + duration}, exclusive. */
  public synchronized boolean isGranted(long sourceHi, long sourceLo, long nowNanos) {
    Long expiry = expiryBySource.get(new Source(sourceHi, sourceLo));
    return expiry != null && nowNanos < expiry;
  }

  /** Removes and returns the grants that have ended by {@code nowNanos}. */
  public synchronized List<Expired> expire(long nowNanos) {
    List<Expired> expired = new ArrayList<>();
    expiryBySource.entrySet().removeIf(entry -> {
      boolean ended = entry.getValue() <= nowNanos;
      if (ended) {
        expired.add(new Expired(entry.getKey().hi(), entry.getKey().lo(), entry.getValue()));
      }
      return ended;
    });
    return expired;
  }

  /** Grants in the table (some may have ended and wait for {@link #expire}). */
  public synchronized int size() {
    return expiryBySource.size();
  }

  /** The earliest end of a grant in the table, or {@link Long#MAX_VALUE} when empty. */
  public synchronized long nextExpiryNanos() {
    return expiryBySource.values().stream().mapToLong(Long::longValue).min().orElse(Long.MAX_VALUE);
  }

  public long durationNanos() {
    return durationNanos;
  }

  private Source soonestToExpire() {
    return expiryBySource.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }
}
