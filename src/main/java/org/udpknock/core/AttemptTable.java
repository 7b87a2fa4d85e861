package org.udpknock.core;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The attempts in progress, keyed by 128-bit source address, kept in two age lists.
 *
 * <p>Why not a {@code LinkedHashMap}: a million spoofed sources would cost ~150 bytes each in
 * entry, key and value objects. Here an attempt is a slot in parallel primitive arrays
 * ({@link #BYTES_PER_SLOT} bytes plus its hash-index share), slots never move, and an
 * open-addressing index maps addresses to slots.
 *
 * <p>Two doubly linked age lists run through the slots, as in segmented caches (Caffeine's window
 * and protected segments). {@link #PROBATION} holds what a spoofer makes for free, one datagram
 * each: entries at stage 0 (the engine's scan-guard blocks) and stage 1 (a first knock).
 * {@link #PROTECTED} holds attempts at stage 2 or more, which take a knowledge of the sequence.
 * {@link #evictionCandidate} takes the oldest probationary entry, and a protected one only when
 * no probationary entry is left, so a flood of first knocks only ever evicts first knocks.
 * Each list is oldest first: a probationary entry joins at its start, a protected one when it
 * reaches stage 2 (see {@link #setStage}), so the head of each list is found in O(1).
 *
 * <p>The hash is seeded per table at random, so a flood of crafted source addresses cannot
 * aim at one chain of the index.
 */
final class AttemptTable {
  static final int NONE = -1;
  /** The list of stage 0 and 1 entries: evicted first. */
  static final int PROBATION = 0;
  /** The list of attempts at stage 2 or more. */
  static final int PROTECTED = 1;
  /** Bytes of the per-slot arrays: two longs of key, a start time, a stage, two list links. */
  static final int BYTES_PER_SLOT = 8 + 8 + 8 + 1 + 4 + 4;
  private static final int INITIAL_SLOTS = 1024;
  /** Index cells per slot: keeps linear probes short. */
  private static final int INDEX_SPREAD = 2;
  private static final int EMPTY = -1;

  private final int maxSize;
  private final Allocator allocator;
  private final long seed = ThreadLocalRandom.current().nextLong();

  private long[] keyHi;
  private long[] keyLo;
  private long[] startNanos;
  private byte[] stage;
  /** Age lists: {@code older[s]} is the slot that joined s's list just before s; free slots chain through newer. */
  private int[] older;
  private int[] newer;
  private final int[] oldest = {NONE, NONE};
  private final int[] newest = {NONE, NONE};
  private int freeSlots = NONE;
  private int usedSlots;
  private int size;
  /** maxSize, or the slots already allocated once growing them failed. */
  private int capacity;
  private boolean growthFailed;

  /** Open-addressing index: slot number, or EMPTY. Length is a power of two. */
  private int[] index;

  AttemptTable(int maxSize) {
    this(maxSize, Allocator.HEAP);
  }

  /** With {@code allocator}, the seam through which tests make growing fail. */
  AttemptTable(int maxSize, Allocator allocator) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize < 1: " + maxSize);
    }
    this.maxSize = maxSize;
    this.capacity = maxSize;
    this.allocator = allocator;
    int slots = Math.min(maxSize, INITIAL_SLOTS);
    keyHi = new long[slots];
    keyLo = new long[slots];
    startNanos = new long[slots];
    stage = new byte[slots];
    older = new int[slots];
    newer = new int[slots];
    index = emptyIndex(new int[indexLength(slots)]);
  }

  /** Allocates the table's arrays; an {@link OutOfMemoryError} from it makes the table stop growing. */
  interface Allocator {
    Allocator HEAP = new Allocator() {};

    default long[] longs(int length) {
      return new long[length];
    }

    default int[] ints(int length) {
      return new int[length];
    }

    default byte[] bytes(int length) {
      return new byte[length];
    }
  }

  /**
   * The most heap a table of {@code maxSize} takes: its arrays at full size with their index, and
   * while it grows to that size the arrays it grows from (copied, not freed, until the new ones
   * are all allocated).
   */
  static long peakBytes(int maxSize) {
    long full = (long) maxSize * BYTES_PER_SLOT + 4L * indexLength(maxSize);
    if (maxSize <= INITIAL_SLOTS) {
      return full;
    }
    int before = INITIAL_SLOTS;
    while (2L * before < maxSize) {
      before *= 2;
    }
    return full + (long) before * BYTES_PER_SLOT + 4L * indexLength(before);
  }

  int size() {
    return size;
  }

  /** The most entries the table holds: maxSize, or fewer once the heap refused to grow it. */
  int capacity() {
    return capacity;
  }

  /** True once growing failed for want of memory; the table then keeps the slots it has. */
  boolean growthFailed() {
    return growthFailed;
  }

  /**
   * True when one more entry fits: a free slot, or room to grow into (grown now). False when
   * the caller must first remove an entry, e.g. the {@link #evictionCandidate}.
   */
  boolean hasRoom() {
    if (size == capacity) {
      return false;
    }
    if (freeSlots != NONE || usedSlots < keyHi.length) {
      return true;
    }
    return grow();
  }

  /** The oldest entry of {@code list} ({@link #PROBATION} or {@link #PROTECTED}), or {@link #NONE}. */
  int oldest(int list) {
    return oldest[list];
  }

  /** What to evict to make room: the oldest probationary entry, or else the oldest protected one. */
  int evictionCandidate() {
    return oldest[PROBATION] != NONE ? oldest[PROBATION] : oldest[PROTECTED];
  }

  /** The entry that joined {@code slot}'s list just after it, or {@link #NONE}: walks a list oldest first. */
  int newer(int slot) {
    return newer[slot];
  }

  long keyHi(int slot) {
    return keyHi[slot];
  }

  long keyLo(int slot) {
    return keyLo[slot];
  }

  long startNanos(int slot) {
    return startNanos[slot];
  }

  int stage(int slot) {
    return stage[slot];
  }

  /** Sets the stage; an entry that moves into the other list joins it as its newest. */
  void setStage(int slot, int newStage) {
    if (listOf(newStage) != listOf(stage[slot])) {
      unlink(slot);
      stage[slot] = (byte) newStage;
      linkAsNewest(slot);
    } else {
      stage[slot] = (byte) newStage;
    }
  }

  /** The slot of this source's attempt, or {@link #NONE}. */
  int find(long hi, long lo) {
    int mask = index.length - 1;
    for (int cell = hash(hi, lo) & mask; ; cell = (cell + 1) & mask) {
      int slot = index[cell];
      if (slot == EMPTY) {
        return NONE;
      }
      if (keyLo[slot] == lo && keyHi[slot] == hi) {
        return slot;
      }
    }
  }

  /** Adds an attempt as the newest of its list; the caller makes room first (see {@link #hasRoom}). */
  int add(long hi, long lo, long start, int startStage) {
    if (!hasRoom()) {
      throw new IllegalStateException("table full: " + size);
    }
    int slot = takeFreeSlot();
    keyHi[slot] = hi;
    keyLo[slot] = lo;
    startNanos[slot] = start;
    stage[slot] = (byte) startStage;
    linkAsNewest(slot);
    insertIntoIndex(slot);
    size++;
    return slot;
  }

  /** Restarts an attempt: a new start time makes it the newest of its (new) list. */
  void restart(int slot, long start, int startStage) {
    unlink(slot);
    startNanos[slot] = start;
    stage[slot] = (byte) startStage;
    linkAsNewest(slot);
  }

  void remove(int slot) {
    removeFromIndex(slot);
    unlink(slot);
    newer[slot] = freeSlots;
    freeSlots = slot;
    size--;
  }

  /** Call only when {@link #hasRoom}. */
  private int takeFreeSlot() {
    if (freeSlots != NONE) {
      int slot = freeSlots;
      freeSlots = newer[slot];
      return slot;
    }
    return usedSlots++;
  }

  private static int listOf(int stage) {
    return stage >= 2 ? PROTECTED : PROBATION;
  }

  private void linkAsNewest(int slot) {
    int list = listOf(stage[slot]);
    older[slot] = newest[list];
    newer[slot] = NONE;
    if (newest[list] != NONE) {
      newer[newest[list]] = slot;
    } else {
      oldest[list] = slot;
    }
    newest[list] = slot;
  }

  private void unlink(int slot) {
    int list = listOf(stage[slot]);
    int before = older[slot];
    int after = newer[slot];
    if (before != NONE) {
      newer[before] = after;
    } else {
      oldest[list] = after;
    }
    if (after != NONE) {
      older[after] = before;
    } else {
      newest[list] = before;
    }
  }
  private void insertIntoIndex(int slot) {
    int mask = index.length - 1;
    int cell = hash(keyHi[slot], keyLo[slot]) & mask;
    while (index[cell] != EMPTY) {
      cell = (cell + 1) & mask;
    }
    index[cell] = slot;
  }

  /** Linear-probing deletion by backward shift, so lookups never need tombstones. */
  private void removeFromIndex(int slot) {
    int mask = index.length - 1;
    int hole = hash(keyHi[slot], keyLo[slot]) & mask;
    while (index[hole] != slot) {
      hole = (hole + 1) & mask;
    }
    for (int cell = (hole + 1) & mask; index[cell] != EMPTY; cell = (cell + 1) & mask) {
      int home = hash(keyHi[index[cell]], keyLo[index[cell]]) & mask;
      // Move the entry back into the hole unless its home lies cyclically in (hole, cell].
      boolean homeBetween = hole <= cell ? hole < home && home <= cell : hole < home || home <= cell;
      if (!homeBetween) {
        index[hole] = index[cell];
        hole = cell;
      }
    }
    index[hole] = EMPTY;
  }

  /**
   * Doubles the slots, up to maxSize. Every new array is allocated before any replaces an old
   * one, so when the heap runs out the table is unchanged: it keeps its size as its capacity.
   */
  private boolean grow() {
    int slots = (int) Math.min(maxSize, 2L * keyHi.length);
    try {
      long[] newKeyHi = copy(keyHi, allocator.longs(slots), usedSlots);
      long[] newKeyLo = copy(keyLo, allocator.longs(slots), usedSlots);
      long[] newStartNanos = copy(startNanos, allocator.longs(slots), usedSlots);
      byte[] newStage = copy(stage, allocator.bytes(slots), usedSlots);
      int[] newOlder = copy(older, allocator.ints(slots), usedSlots);
      int[] newNewer = copy(newer, allocator.ints(slots), usedSlots);
      int[] newIndex = emptyIndex(allocator.ints(indexLength(slots)));
      keyHi = newKeyHi;
      keyLo = newKeyLo;
      startNanos = newStartNanos;
      stage = newStage;
      older = newOlder;
      newer = newNewer;
      index = newIndex;
    } catch (OutOfMemoryError e) {
      capacity = keyHi.length;
      growthFailed = true;
      return false;
    }
    for (int slot = 0; slot < usedSlots; slot++) { // No slot is free when the table grows.
      insertIntoIndex(slot);
    }
    return true;
  }

  private static <T> T copy(T from, T to, int length) {
    System.arraycopy(from, 0, to, 0, length);
    return to;
  }

  private static int[] emptyIndex(int[] cells) {
    Arrays.fill(cells, EMPTY);
    return cells;
  }

  private static int indexLength(int slots) {
    return Integer.highestOneBit(Math.max(1, slots * INDEX_SPREAD - 1)) << 1;
  }

  private int hash(long hi, long lo) {
    return (int) mix(lo ^ mix(hi ^ seed));
  }

  /** MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
  private static long mix(long value) {
    value ^= value >>> 33;
    value *= 0xff51afd7ed558ccdL;
    value ^= value >>> 33;
    value *= 0xc4ceb9fe1a85ec53L;
    value ^= value >>> 33;
    return value;
  }
}
