package org.udpknock.door;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * What differs between the server's doors and replay's: the bounds, the verifiers' start
 * bound, what is logged, the clock a grant starts by, and where grants go.
 *
 * @param maxSources attempts each door tracks at once (see {@link #share})
 * @param maxGrants grants each door holds at once
 * @param notBeforeNanos authenticated doors refuse knocks stamped before this
 * @param logProgress whether knock, reset, guard and rejected events are written (read per event;
 *     the server's changes on a reload). One class for the server's and replay's: where the
 *     capture's warm-up (replay's wiring) and the live doors called suppliers of two lambda
 *     classes, the JIT compiled the warm-up's in, and threw that code away when the live one
 *     loaded (-XX:+PrintCompilation: the listener's knock "made not entrant" at 'listening')
 * @param logBlocked whether blocked knocks are written (rate-limited)
 * @param nowNanos the server's clock: a grant starts at the packet's time, or later if this is ahead
 * @param grants where grants go
 */
public record DoorWiring(int maxSources, int maxGrants, long notBeforeNanos, AtomicBoolean logProgress,
    boolean logBlocked, LongSupplier nowNanos, GrantHandler grants) {

  /**
   * Each door's part of a bound that all doors share: {@code max_sources} and {@code max_grants}
   * bound the whole server, so that adding doors does not multiply its memory (the issue's
   * three-door example fits the launcher's heap with the defaults).
   */
  public static int share(int total, int doors) {
    return Math.max(1, total / Math.max(1, doors));
  }

  /** Replay's: no clock but the packets', grants go nowhere. */
  public static DoorWiring replay(int maxSources, long notBeforeNanos, boolean quiet) {
    return new DoorWiring(maxSources, 1, notBeforeNanos, new AtomicBoolean(!quiet), !quiet, () -> Long.MIN_VALUE,
        GrantHandler.NONE);
  }
}
