package org.udpknock.core;

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
 *   <li>At most {@code maxSources} attempts are tracked; the oldest is evicted to make room.
 * </ul>
 *
 * <p>Not thread-safe: one thread feeds it. Work per knock is O(1).
 */
public final class KnockEngine {
  /** Expired attempts purged per knock: bounds the work of one packet, yet keeps ahead of new ones. */
  private static final int PURGE_BUDGET = 4;

  private final KnockSequence sequence;
  private final long timeoutNanos;
  private final AttemptTable attempts;
  private final KnockListener listener;

  private long knocks;
  private long grants;
  private long expired;
  private long evicted;
  private long wrongPort;

  public KnockEngine(KnockSequence sequence, long timeoutNanos, int maxSources, KnockListener listener) {
    if (timeoutNanos < 0) {
      throw new IllegalArgumentException("timeoutNanos < 0: " + timeoutNanos);
    }
    this.sequence = sequence;
    this.timeoutNanos = timeoutNanos;
    this.attempts = new AttemptTable(maxSources);
    this.listener = listener;
  }

  public KnockSequence sequence() {
    return sequence;
  }

  /**
   * Handles one UDP datagram from {@code source} to {@code port} seen at {@code timeNanos}.
   * Datagrams to ports outside the sequence touch no state.
   */
  public void onDatagram(long timeNanos, long sourceHi, long sourceLo, int port) {
    if (!sequence.contains(port)) {
      return;
    }
    knocks++;
    purgeExpired(timeNanos, PURGE_BUDGET);
    int slot = attempts.find(sourceHi, sourceLo);
    if (slot != AttemptTable.NONE && isExpired(slot, timeNanos)) {
      drop(slot, timeNanos, ResetReason.EXPIRED);
      slot = AttemptTable.NONE;
    }
    if (slot == AttemptTable.NONE) {
      knockWithoutAttempt(timeNanos, sourceHi, sourceLo, port);
    } else {
      knockDuringAttempt(slot, timeNanos, port);
    }
  }

  /** Drops attempts that have expired by {@code nowNanos}, oldest first, at most {@code limit}. */
  public void purgeExpired(long nowNanos, int limit) {
    for (int done = 0; done < limit; done++) {
      int slot = attempts.oldest();
      if (slot == AttemptTable.NONE || !isExpired(slot, nowNanos)) {
        return;
      }
      drop(slot, nowNanos, ResetReason.EXPIRED);
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
      wrongPort++;
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
    grants++;
    listener.granted(timeNanos, sourceHi, sourceLo);
  }

  private void makeRoom(long timeNanos) {
    if (!attempts.isFull()) {
      return;
    }
    int oldest = attempts.oldest();
    boolean wasExpired = isExpired(oldest, timeNanos);
    if (!wasExpired) {
      evicted++;
    }
    drop(oldest, timeNanos, wasExpired ? ResetReason.EXPIRED : ResetReason.EVICTED);
  }

  private void drop(int slot, long timeNanos, ResetReason reason) {
    if (reason == ResetReason.EXPIRED) {
      expired++;
    }
    long sourceHi = attempts.keyHi(slot);
    long sourceLo = attempts.keyLo(slot);
    attempts.remove(slot);
    listener.reset(timeNanos, sourceHi, sourceLo, reason);
  }

  /**
   * True when more than the timeout has passed since the attempt started. Written so that it
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

  /** Attempts in progress now. */
  public int attemptsInProgress() {
    return attempts.size();
  }

  /** Datagrams seen on sequence ports. */
  public long knocks() {
    return knocks;
  }

  public long grants() {
    return grants;
  }

  public long expired() {
    return expired;
  }

  public long evicted() {
    return evicted;
  }

  public long wrongPort() {
    return wrongPort;
  }
}
