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
   * A source that was not blocked sent a datagram to guard port {@code port}: it is now blocked
   * for the sequence timeout. Further hits of the same sweep refresh the block without an event.
   */
  default void guardTripped(long timeNanos, long sourceHi, long sourceLo, int port) {}

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
