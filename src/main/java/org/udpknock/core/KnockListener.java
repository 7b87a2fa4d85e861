package org.udpknock.core;

/**
 * Receives the engine's events, on the thread that feeds the engine. Sources are 128-bit
 * addresses in two longs (IPv4 as {@code ::ffff:a.b.c.d}); see {@link Addresses#format}.
 */
public interface KnockListener {
  /** A knock moved the source's attempt to {@code stage} (1 = first port accepted). */
  void knock(long timeNanos, long sourceHi, long sourceLo, int port, int stage);

  /** The source completed the sequence. */
  void granted(long timeNanos, long sourceHi, long sourceLo);

  /** The source's attempt was dropped. */
  void reset(long timeNanos, long sourceHi, long sourceLo, ResetReason reason);

  /**
   * A source that was not blocked sent a datagram to guard port {@code port}. Where the guard
   * {@linkplain ScanGuard#blocks blocks}, the source is now blocked for the sequence timeout, and
   * further hits of the same sweep refresh the block without an event; elsewhere this is reported
   * only when the hit dropped an attempt.
   */
  default void guardTripped(long timeNanos, long sourceHi, long sourceLo, int port) {}

  /**
   * A first-port knock from a source that the scan guard blocks was ignored. Anyone who spoofs
   * the source's address can cause this, so a writer should rate-limit these lines.
   */
  default void knockBlocked(long timeNanos, long sourceHi, long sourceLo, int port) {}

  /**
   * The heap could not hold more tracked sources: from now on at most {@code capacity} are
   * tracked (fewer than asked), and the oldest is evicted beyond. Called once.
   */
  default void trackingCapped(long timeNanos, int capacity) {}

  /** A listener that ignores everything. */
  KnockListener NONE = new KnockListener() {
    @Override
    public void knock(long timeNanos, long sourceHi, long sourceLo, int port, int stage) {}

    @Override
    public void granted(long timeNanos, long sourceHi, long sourceLo) {}

    @Override
    public void reset(long timeNanos, long sourceHi, long sourceLo, ResetReason reason) {}
  };
}
