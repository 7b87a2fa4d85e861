package org.udpknock.auth;

import org.udpknock.core.KnockSequence;

/**
 * Authenticated mode: the key, the id of the server knocks must be signed for, how far a knock's
 * stamp may be behind ({@code maxSkewNanos}) and ahead of ({@code maxAheadNanos}) the time it is
 * seen, and the nonce cache's capacity.
 */
public record AuthSettings(KnockKey key, ServerId serverId, long maxSkewNanos, long maxAheadNanos,
    int nonceCacheCapacity) {
  public static final long DEFAULT_MAX_SKEW_NANOS = 30_000_000_000L;
  public static final long DEFAULT_MAX_AHEAD_NANOS = 5_000_000_000L;
  public static final int DEFAULT_NONCE_CACHE = 65_536;

  /** The heap the nonce cache of {@code capacity} entries takes, allocated whole at start. */
  public static long nonceCacheBytes(int capacity) {
    return NonceCache.bytesFor(capacity);
  }

  /**
   * A verifier for a run started at {@code startNanos} (a server's start time, or {@code
   * Long.MIN_VALUE} for no bound): it refuses knocks stamped before {@link #firstStampAfter}.
   */
  public KnockVerifier newVerifier(KnockSequence sequence, long startNanos) {
    return new KnockVerifier(key, serverId, sequence, maxSkewNanos, maxAheadNanos, nonceCacheCapacity,
        startNanos);
  }

  /** The first stamp a run started at {@code startNanos} accepts: the start + max-ahead. */
  public long firstStampAfter(long startNanos) {
    return KnockVerifier.firstStampAfter(startNanos, maxAheadNanos);
  }
}
