package org.udpknock.auth;

import org.udpknock.core.KnockSequence;

/**
 * Authenticated mode: the key, the id of the server knocks must be signed for, the clock skew
 * allowed, and the nonce cache's capacity.
 */
public record AuthSettings(KnockKey key, ServerId serverId, long maxSkewNanos, int nonceCacheCapacity) {
  public static final long DEFAULT_MAX_SKEW_NANOS = 30_000_000_000L;
  public static final int DEFAULT_NONCE_CACHE = 65_536;

  /** The heap the nonce cache of {@code capacity} entries takes, allocated whole at start. */
  public static long nonceCacheBytes(int capacity) {
    return NonceCache.bytesFor(capacity);
  }

  /**
   * A verifier that refuses knocks stamped before {@code notBeforeNanos}: a server's start time,
   * or {@code Long.MIN_VALUE} for no bound.
   */
  public KnockVerifier newVerifier(KnockSequence sequence, long notBeforeNanos) {
    return new KnockVerifier(key, serverId, sequence, maxSkewNanos, nonceCacheCapacity, notBeforeNanos);
  }
}
