package org.udpknock.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import jdk.internal.vm.annotation.Contended;

/**
 * The knock rules, per source address, driven only by packet timestamps.
 *
 * <ul>
 *   <li>A source with no attempt starts one by knocking on the first port; its other knocks are
 *       ignored.
 *   <li>At stage k the expected port (sequence[k]) advances the attempt, and the last one grants
 *       the source and clears the attempt. Otherwise a repeat of the port just accepted is a
 *       duplicate and is ignored; otherwise the first port restarts the attempt; any other
 *       sequence port drops it.
 *   <li>A knock more than the timeout after the attempt's first knock finds the attempt expired,
 *       and is then handled as from a source with no attempt. Time going backwards counts as no
 *       time elapsed.
 *   <li>A datagram to a guard port (see {@link ScanGuard}) drops the source's attempt. Where the
 *       guard {@linkplain ScanGuard#blocks blocks}, it also blocks the source: a first-port knock
 *       within the timeout after its last guard hit is ignored, counted and reported.
 *   <li>At most {@code maxSources} sources are tracked, attempts and blocks alike. To make room,
 *       the oldest block or stage-1 attempt is evicted; an attempt at stage 2 or more only when
 *       there is none (see {@link AttemptTable}): spoofed first knocks never evict a real attempt
 *       that is under way. When the heap cannot hold more sources, fewer are tracked.
 * </ul>
 *
 * <p>Not thread-safe: one thread feeds it. Work per datagram is O(1). Its counts may be read
 * from any thread (metrics, at scrape time): see {@link #knocks}.
 */
// Padded from its neighbours in memory (false sharing): written at every knock by
// the thread that runs the doors; see BatchedReplay.
@Contended
public final class KnockEngine {
  /** Expired entries purged per datagram: bounds the work of one packet, yet keeps ahead of new ones. */
  private static final int PURGE_BUDGET = 4;
  /**
   * The stage of a blocked source's entry. Blocks live in the attempts' table, so the same bound,
   * eviction and purge apply to them; their start time is the last guard hit.
   */
  private static final int BLOCKED = 0;

  private final KnockSequence sequence;
  private final ScanGuard guard;
  private final long timeoutNanos;
  private final AttemptTable attempts;
  private final KnockListener listener;

  /*
   * The counts below are written only by the thread that feeds the engine, and read by any:
   * metrics read them at scrape time, so that the capture thread counts nothing twice, takes no
   * lock and makes no contended write. Each long is written and read in opaque mode: a read from
   * another thread then gets a whole value (a plain long may be written as two halves), at most a
   * moment stale. An opaque write compiles to the plain store on x86 and ARM: no fence, no lock.
   * The ints (blockedSources, and the table's size) cannot tear: they are read opaquely only.
   */
  private static final VarHandle KNOCKS = counter("knocks");
  private static final VarHandle GRANTS = counter("grants");
  private static final VarHandle EXPIRED = counter("expired");
  private static final VarHandle EVICTED = counter("evicted");
  private static final VarHandle WRONG_PORT = counter("wrongPort");
  private static final VarHandle GUARD_RESETS = counter("guardResets");
  private static final VarHandle GUARD_HITS = counter("guardHits");
  private static final VarHandle BLOCKED_KNOCKS = counter("blockedKnocks");
  private static final VarHandle BLOCKED_SOURCES = OpaqueField.of(MethodHandles.lookup(), "blockedSources", int.class);

  private long knocks;
  private long grants;
  private long expired;
  private long evicted;
  private long wrongPort;
  private long guardResets;
  private long guardHits;
  private long blockedKnocks;
  private int blockedSources;
  private boolean reportedCapacity;

  /** An engine without a scan guard. */
  public KnockEngine(KnockSequence sequence, long timeoutNanos, int maxSources, KnockListener listener) {
    this(sequence, ScanGuard.off(sequence), timeoutNanos, maxSources, listener);
  }

  public KnockEngine(KnockSequence sequence, ScanGuard guard, long timeoutNanos, int maxSources,
      KnockListener listener) {
    this(sequence, guard, timeoutNanos, new AttemptTable(maxSources), listener);
  }

  /** With a table of the test's making, e.g. one whose growth fails. */
  KnockEngine(KnockSequence sequence, ScanGuard guard, long timeoutNanos, AttemptTable attempts,
      KnockListener listener) {
    if (timeoutNanos < 0) {
      throw new IllegalArgumentException("timeoutNanos < 0: " + timeoutNanos);
    }
    this.sequence = sequence;
    this.guard = guard;
    this.timeoutNanos = timeoutNanos;
    this.attempts = attempts;
    this.listener = listener;
  }

  private static VarHandle counter(String name) {
    return OpaqueField.of(MethodHandles.lookup(), name, long.class);
  }

  /**
   * The most heap the attempt table of {@code maxSources} takes: full, with its index, and while
   * growing to full, the arrays it grows from.
   */
  public static long trackingBytes(int maxSources) {
    return AttemptTable.peakBytes(maxSources);
  }

  public KnockSequence sequence() {
    return sequence;
  }

  /**
   * Handles one UDP datagram from {@code source} to {@code port} seen at {@code timeNanos}.
   * Datagrams to ports that are neither in the sequence nor guarded touch no state.
   */
  public void onDatagram(long timeNanos, long sourceHi, long sourceLo, int port) {
    if (sequence.contains(port)) {
      onKnock(timeNanos, sourceHi, sourceLo, port);
    } else if (guard.covers(port)) {
      onGuardHit(timeNanos, sourceHi, sourceLo, port);
    }
  }

  /**
   * Drops entries that have expired by {@code nowNanos}, oldest first, at most {@code limit} from
   * each of the table's two lists. The protected list is in order of reaching stage 2, not of
   * start, so an attempt there can outlive its expiry behind an older one, by one timeout at
   * most; its own next knock still finds it expired.
   */
  public void purgeExpired(long nowNanos, int limit) {
    purgeExpired(AttemptTable.PROBATION, nowNanos, limit);
    purgeExpired(AttemptTable.PROTECTED, nowNanos, limit);
  }

  private void purgeExpired(int list, long nowNanos, int limit) {
    for (int done = 0; done < limit; done++) {
      int slot = attempts.oldest(list);
      if (slot == AttemptTable.NONE || !isExpired(slot, nowNanos)) {
        return;
      }
      discard(slot, nowNanos, ResetReason.EXPIRED);
    }
  }

  private void onKnock(long timeNanos, long sourceHi, long sourceLo, int port) {
    KNOCKS.setOpaque(this, knocks + 1);
    int slot = currentEntry(timeNanos, sourceHi, sourceLo);
    if (slot == AttemptTable.NONE) {
      knockWithoutAttempt(timeNanos, sourceHi, sourceLo, port);
    } else if (isBlocked(slot)) {
      knockWhileBlocked(timeNanos, sourceHi, sourceLo, port);
    } else {
      knockDuringAttempt(slot, timeNanos, port);
    }
  }

  /**
   * Purges a few expired entries, then returns the source's entry, or {@link AttemptTable#NONE}
   * when it has none or its entry has just expired (and was dropped).
   */
  private int currentEntry(long timeNanos, long sourceHi, long sourceLo) {
    purgeExpired(timeNanos, PURGE_BUDGET);
    int slot = attempts.find(sourceHi, sourceLo);
    if (slot != AttemptTable.NONE && isExpired(slot, timeNanos)) {
      discard(slot, timeNanos, ResetReason.EXPIRED);
      return AttemptTable.NONE;
    }
    return slot;
  }

  private void onGuardHit(long timeNanos, long sourceHi, long sourceLo, int port) {
    GUARD_HITS.setOpaque(this, guardHits + 1);
    int slot = currentEntry(timeNanos, sourceHi, sourceLo);
    if (!guard.blocks()) {
      resetOnGuardHit(slot, timeNanos, port);
    } else if (slot == AttemptTable.NONE) {
      makeRoom(timeNanos);
      attempts.add(sourceHi, sourceLo, timeNanos, BLOCKED);
      blockedSources++;
      listener.guardTripped(timeNanos, sourceHi, sourceLo, port);
    } else if (isBlocked(slot)) {
      // Each hit extends the block; a hit stamped earlier than the last one never shortens it.
      attempts.restart(slot, Math.max(attempts.startNanos(slot), timeNanos), BLOCKED);
    } else {
      listener.guardTripped(timeNanos, sourceHi, sourceLo, port);
      countReset(ResetReason.GUARD);
      listener.reset(timeNanos, sourceHi, sourceLo, ResetReason.GUARD);
      attempts.restart(slot, timeNanos, BLOCKED); // The attempt's entry becomes the block.
      blockedSources++;
    }
  }

  /**
   * Where the guard does not block, a sweep is caught between two sequence ports: dropping the
   * attempt is enough, and no state is kept for a hit without one.
   */
  private void resetOnGuardHit(int slot, long timeNanos, int port) {
    if (slot != AttemptTable.NONE) {
      listener.guardTripped(timeNanos, attempts.keyHi(slot), attempts.keyLo(slot), port);
      drop(slot, timeNanos, ResetReason.GUARD);
    }
  }

  /** A blocked source's first-port knock is counted, reported and ignored; its other knocks are ignored anyway. */
  private void knockWhileBlocked(long timeNanos, long sourceHi, long sourceLo, int port) {
    if (port == sequence.firstPort()) {
      BLOCKED_KNOCKS.setOpaque(this, blockedKnocks + 1);
      listener.knockBlocked(timeNanos, sourceHi, sourceLo, port);
    }
  }

  private void knockWithoutAttempt(long timeNanos, long sourceHi, long sourceLo, int port) {
    if (port != sequence.firstPort()) {
      return;
    }
    if (sequence.length() == 1) {
      listener.knock(timeNanos, sourceHi, sourceLo, port, 1);
      grant(timeNanos, sourceHi, sourceLo);
      return;
    }
    makeRoom(timeNanos);
    attempts.add(sourceHi, sourceLo, timeNanos, 1);
    listener.knock(timeNanos, sourceHi, sourceLo, port, 1);
  }

  private void knockDuringAttempt(int slot, long timeNanos, int port) {
    int stage = attempts.stage(slot);
    long sourceHi = attempts.keyHi(slot);
    long sourceLo = attempts.keyLo(slot);
    if (port == sequence.port(stage)) {
      advance(slot, stage + 1, timeNanos, port);
    } else if (port == sequence.port(stage - 1)) {
      return; // A duplicate of the knock just accepted: clients and networks repeat datagrams.
    } else if (port == sequence.firstPort()) {
      attempts.restart(slot, timeNanos, 1);
      listener.knock(timeNanos, sourceHi, sourceLo, port, 1);
    } else {
      drop(slot, timeNanos, ResetReason.WRONG_PORT);
    }
  }

  private void advance(int slot, int newStage, long timeNanos, int port) {
    long sourceHi = attempts.keyHi(slot);
    long sourceLo = attempts.keyLo(slot);
    listener.knock(timeNanos, sourceHi, sourceLo, port, newStage);
    if (newStage == sequence.length()) {
      attempts.remove(slot);
      grant(timeNanos, sourceHi, sourceLo);
    } else {
      attempts.setStage(slot, newStage);
    }
  }

  private void grant(long timeNanos, long sourceHi, long sourceLo) {
    GRANTS.setOpaque(this, grants + 1);
    listener.granted(timeNanos, sourceHi, sourceLo);
  }

  private void makeRoom(long timeNanos) {
    if (attempts.hasRoom()) {
      return;
    }
    if (attempts.growthFailed() && !reportedCapacity) {
      reportedCapacity = true;
      listener.trackingCapped(timeNanos, attempts.capacity());
    }
    int victim = attempts.evictionCandidate();
    if (isBlocked(victim) || isExpired(victim, timeNanos)) {
      discard(victim, timeNanos, ResetReason.EXPIRED);
    } else {
      drop(victim, timeNanos, ResetReason.EVICTED);
    }
  }

  /** Removes an entry: an attempt is reset for {@code reason}; a block just ends, without an event. */
  private void discard(int slot, long timeNanos, ResetReason reason) {
    if (isBlocked(slot)) {
      attempts.remove(slot);
      blockedSources--;
    } else {
      drop(slot, timeNanos, reason);
    }
  }

  private void drop(int slot, long timeNanos, ResetReason reason) {
    countReset(reason);
    long sourceHi = attempts.keyHi(slot);
    long sourceLo = attempts.keyLo(slot);
    attempts.remove(slot);
    listener.reset(timeNanos, sourceHi, sourceLo, reason);
  }

  private void countReset(ResetReason reason) {
    switch (reason) {
      case WRONG_PORT -> WRONG_PORT.setOpaque(this, wrongPort + 1);
      case EXPIRED -> EXPIRED.setOpaque(this, expired + 1);
      case EVICTED -> EVICTED.setOpaque(this, evicted + 1);
      case GUARD -> GUARD_RESETS.setOpaque(this, guardResets + 1);
    }
  }

  private boolean isBlocked(int slot) {
    return attempts.stage(slot) == BLOCKED;
  }

  /**
   * True when more than the timeout has passed since the attempt started (for a block: since the
   * last guard hit). Written so that it
   * cannot overflow at any base time, and a time before the start counts as no time elapsed.
   */
  private boolean isExpired(int slot, long nowNanos) {
    long start = attempts.startNanos(slot);
    if (nowNanos <= start) {
      return false;
    }
    long elapsed = nowNanos - start;
    return elapsed < 0 /* overflowed: astronomically late */ || elapsed > timeoutNanos;
  }

  /** Attempts in progress now; from another thread, a moment stale (and never below 0). */
  public int attemptsInProgress() {
    return Math.max(0, attempts.sizeOpaque() - blockedSources());
  }

  /** Sources blocked by the scan guard now (until purged). */
  public int blockedSources() {
    return (int) BLOCKED_SOURCES.getOpaque(this);
  }

  /**
   * Datagrams seen on sequence ports; guard hits are not knocks. This and the other counts may be
   * read from any thread, a moment stale.
   */
  public long knocks() {
    return (long) KNOCKS.getOpaque(this);
  }

  public long grants() {
    return (long) GRANTS.getOpaque(this);
  }

  public long expired() {
    return (long) EXPIRED.getOpaque(this);
  }

  public long evicted() {
    return (long) EVICTED.getOpaque(this);
  }

  public long wrongPort() {
    return (long) WRONG_PORT.getOpaque(this);
  }

  /** Attempts dropped for {@code reason}. */
  public long resets(ResetReason reason) {
    return switch (reason) {
      case WRONG_PORT -> wrongPort();
      case EXPIRED -> expired();
      case EVICTED -> evicted();
      case GUARD -> (long) GUARD_RESETS.getOpaque(this);
    };
  }

  /** Datagrams seen on guard ports. */
  public long guardHits() {
    return (long) GUARD_HITS.getOpaque(this);
  }

  /** First-port knocks ignored because their source was blocked. */
  public long blockedKnocks() {
    return (long) BLOCKED_KNOCKS.getOpaque(this);
  }

  public ScanGuard guard() {
    return guard;
  }
}
