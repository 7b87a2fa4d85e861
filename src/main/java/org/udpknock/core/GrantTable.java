package org.udpknock.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import jdk.internal.vm.annotation.Contended;

/**
 * Sources that completed the sequence, each until its grant expires. Time is an argument of
 * every call (packet time when granting, the server's clock when checking), never read here.
 *
 * <p>Every grant lasts the same time, so grant order is expiry order: grants are kept oldest
 * first in an {@link AttemptTable} (a slot's start time is the grant's start; its stage is
 * unused), a renewal moves a grant to the newest end, and expiry and eviction take the oldest.
 * Every call is O(1), or O(limit) for {@link #expire}: a flood of spoofed sequences never makes
 * one call scan the table.
 *
 * <p>Thread-safe: the capture thread grants, the listener checks, a timer expires. Each call
 * holds the table's lock for O(1) work (O(limit) for expire) and calls nothing outside.
 */
// Padded from its neighbours in memory (false sharing): written at every grant by
// the thread that runs the doors; see BatchedReplay.
@Contended
public final class GrantTable {
  /** The heap a table of {@code maxGrants} takes at its peak: grants are slots of an {@link AttemptTable}. */
  public static long bytesFor(int maxGrants) {
    return AttemptTable.peakBytes(maxGrants);
  }
  private static final int UNUSED_STAGE = 0;

  /**
   * A grant that left the table: it ended at {@code atNanos} ({@code evicted} false), or was
   * evicted then, before its end, to make room for a new grant.
   */
  public record Removal(long sourceHi, long sourceLo, long atNanos, boolean evicted) {}

  private final long durationNanos;
  private final AttemptTable slots;
  /** Start of the newest grant: a later grant never starts before it, so order stays expiry order. */
  private long newestStartNanos = Long.MIN_VALUE;
  /** Written under the lock, read without it (metrics): opaque, so that a read never sees half a long. */
  private long evicted;
  private static final VarHandle EVICTED = OpaqueField.of(MethodHandles.lookup(), "evicted", long.class);

  public GrantTable(long durationNanos, int maxGrants) {
    if (durationNanos <= 0) {
      throw new IllegalArgumentException("durationNanos <= 0: " + durationNanos);
    }
    if (maxGrants < 1) {
      throw new IllegalArgumentException("maxGrants < 1: " + maxGrants);
    }
    this.durationNanos = durationNanos;
    this.slots = new AttemptTable(maxGrants);
  }

  /**
   * Grants {@code source} from {@code nowNanos} for the grant duration; a new grant of a source
   * already granted extends it. Time going backwards counts as no time elapsed. When the table
   * is full, the oldest grant makes room, and is returned: ended (if it had), or evicted.
   *
   * @return the grant removed to make room, or null
   */
  public synchronized Removal grant(long sourceHi, long sourceLo, long nowNanos) {
    long start = Math.max(nowNanos, newestStartNanos);
    newestStartNanos = start;
    int slot = slots.find(sourceHi, sourceLo);
    if (slot != AttemptTable.NONE) {
      slots.restart(slot, start, UNUSED_STAGE);
      return null;
    }
    Removal removed = slots.hasRoom() ? null : removeOldest(start);
    slots.add(sourceHi, sourceLo, start, UNUSED_STAGE);
    return removed;
  }

  /**
   * A grant another host made, until {@code endNanos}: held to at most the grant duration from
   * {@code nowNanos} (a host never grants longer than its own door does), and taken only if it
   * ends later than what the table already holds for the source. It is put in its place in
   * expiry order, so it expires when it ends, not when a grant made now would.
   *
   * @return what was done, and the grant removed to make room, if any
   */
  public synchronized SharedOutcome grantUntil(long sourceHi, long sourceLo, long endNanos, long nowNanos) {
    long end = Math.min(endNanos, saturatedAdd(nowNanos, durationNanos));
    if (end <= nowNanos) {
      return SharedOutcome.NOTHING;
    }
    long start = end - durationNanos;
    newestStartNanos = Math.max(newestStartNanos, start); // A clock that steps back keeps grants in expiry order.
    int slot = slots.find(sourceHi, sourceLo);
    if (slot != AttemptTable.NONE) {
      if (endOf(slot) >= end) {
        return SharedOutcome.NOTHING;
      }
      slots.restartInStartOrder(slot, start);
      return new SharedOutcome(true, end, null);
    }
    Removal removed = slots.hasRoom() ? null : removeOldest(nowNanos);
    slots.addInStartOrder(sourceHi, sourceLo, start, UNUSED_STAGE);
    return new SharedOutcome(true, end, removed);
  }

  /**
   * What {@link #grantUntil} did: {@code applied} when the table now holds the grant until
   * {@code endNanos} (a new grant or a longer one), and the grant it removed to make room, or null.
   */
  public record SharedOutcome(boolean applied, long endNanos, Removal madeRoom) {
    /** Ended already, or held until then or later: nothing to apply. */
    static final SharedOutcome NOTHING = new SharedOutcome(false, 0, null);
  }

  /** True while the source's grant lasts: until {@code grant time + duration}, exclusive. */
  public synchronized boolean isGranted(long sourceHi, long sourceLo, long nowNanos) {
    int slot = slots.find(sourceHi, sourceLo);
    return slot != AttemptTable.NONE && nowNanos < endOf(slot);
  }

  /** Removes and returns the grants that have ended by {@code nowNanos}, oldest first, at most {@code limit}. */
  public synchronized List<Removal> expire(long nowNanos, int limit) {
    List<Removal> expired = new ArrayList<>();
    while (expired.size() < limit && oldest() != AttemptTable.NONE && endOf(oldest()) <= nowNanos) {
      expired.add(remove(oldest(), endOf(oldest()), false));
    }
    return expired;
  }

  /** Removes every grant, each as ended at {@code nowNanos} (or at its own end, if earlier): a reload removed its door. */
  public synchronized List<Removal> endAll(long nowNanos) {
    List<Removal> ended = new ArrayList<>();
    while (oldest() != AttemptTable.NONE) {
      ended.add(remove(oldest(), Math.min(endOf(oldest()), nowNanos), false));
    }
    return ended;
  }

  /** A grant still in the table: its source and when it ends. */
  public record Live(long sourceHi, long sourceLo, long endNanos) {}

  /** The grants in the table, oldest first, for a new action of the same door to take over. */
  public synchronized List<Live> live() {
    List<Live> live = new ArrayList<>();
    for (int slot = oldest(); slot != AttemptTable.NONE; slot = slots.newer(slot)) {
      live.add(new Live(slots.keyHi(slot), slots.keyLo(slot), endOf(slot)));
    }
    return live;
  }

  /** Grants in the table (some may have ended and wait for {@link #expire}). */
  public synchronized int size() {
    return slots.size();
  }

  /** The earliest end of a grant in the table, or {@link Long#MAX_VALUE} when empty. */
  public synchronized long nextExpiryNanos() {
    return oldest() == AttemptTable.NONE ? Long.MAX_VALUE : endOf(oldest());
  }

  /**
   * Grants in the table, read without its lock, for metrics: a scrape never makes the capture
   * thread wait for the lock when it grants. A moment stale at most.
   */
  public int sizeWithoutLock() {
    return slots.sizeOpaque();
  }

  /** Grants evicted before their end to make room, since the table was made; from any thread, without the lock. */
  public long evicted() {
    return (long) EVICTED.getOpaque(this);
  }

  public long durationNanos() {
    return durationNanos;
  }

  /** Grants all share one age list (the unused stage keeps them out of the protected one). */
  private int oldest() {
    return slots.oldest(AttemptTable.PROBATION);
  }

  private Removal removeOldest(long nowNanos) {
    int oldest = oldest();
    long end = endOf(oldest);
    if (end <= nowNanos) {
      return remove(oldest, end, false);
    }
    EVICTED.setOpaque(this, evicted + 1);
    return remove(oldest, nowNanos, true);
  }

  private Removal remove(int slot, long atNanos, boolean eviction) {
    Removal removal = new Removal(slots.keyHi(slot), slots.keyLo(slot), atNanos, eviction);
    slots.remove(slot);
    return removal;
  }

  private long endOf(int slot) {
    return saturatedAdd(slots.startNanos(slot), durationNanos);
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }
}
