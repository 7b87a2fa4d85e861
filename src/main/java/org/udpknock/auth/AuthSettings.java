package org.udpknock.auth;

import org.udpknock.core.KnockSequence;

/** Authenticated mode: the key, the clock skew allowed, and the nonce cache's capacity. */
public record AuthSettings(KnockKey key, long maxSkewNanos, int nonceCacheCapacity) {
  public static final long DEFAULT_MAX_SKEW_NANOS = 30_000_000_000L;
  public static final int DEFAULT_NONCE_CACHE = 65_536;

  /** The heap the nonce cache of {@code capacity} entries takes, allocated whole at start. */
  public static long nonceCacheBytes(int capacity) {
    return NonceCache.bytesFor(capacity);
  }

  public KnockVerifier newVerifier(KnockSequence sequence) {
    return new KnockVerifier(key, sequence, maxSkewNanos, nonceCacheCapacity);
  }
}
