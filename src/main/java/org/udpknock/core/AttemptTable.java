package org.udpknock.core;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The attempts in progress, keyed by 128-bit source address, kept in order of their start.
 *
 * <p>Why not a {@code LinkedHashMap}: a million spoofed sources would cost ~150 bytes each in
 * entry, key and value objects. Here an attempt is a slot in parallel primitive arrays
 * (~45 bytes with its hash-index share), slots never move, and an open-addressing index maps
 * addresses to slots. A doubly linked list through the slots keeps them oldest first, so the
 * oldest attempt is found in O(1) for expiry and eviction.
 *
 * <p>The hash is seeded per table at random, so a flood of crafted source addresses cannot
 * aim at one chain of the index.
 */
final class AttemptTable {
  static final int NONE = -1;
  private static final int INITIAL_SLOTS = 1024;
  /** Index cells per slot: keeps linear probes short. */
  private static final int INDEX_SPREAD = 2;
  private static final int EMPTY = -1;

  private final int maxSize;
  private final long seed = ThreadLocalRandom.current().nextLong();

  private long[] keyHi;
  private long[] keyLo;
  private long[] startNanos;
  private byte[] stage;
  /** Age list: {@code older[s]} is the slot started just before s; free slots chain through newer. */
  private int[] older;
  private int[] newer;
  private int oldest = NONE;
  private int newest = NONE;
  private int freeSlots = NONE;
  private int usedSlots;
  private int size;

  /** Open-addressing index: slot number, or EMPTY. Length is a power of two. */
  private int[] index;

  AttemptTable(int maxSize) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize < 1: " + maxSize);
    }
    this.maxSize = maxSize;
    allocate(Math.min(maxSize, INITIAL_SLOTS));
  }

  int size() {
    return size;
  }

  boolean isFull() {
    return size == maxSize;
  }

  int oldest() {
    return oldest;
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

  void setStage(int slot, int newStage) {
    stage[slot] = (byte) newStage;
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

  /** Adds an attempt as the newest; the caller makes room first (see {@link #isFull}). */
  int add(long hi, long lo, long start, int startStage) {
    if (isFull()) {
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

  /** Restarts an attempt: a new start time makes it the newest. */
  void restart(int slot, long start, int startStage) {
    startNanos[slot] = start;
    stage[slot] = (byte) startStage;
    unlink(slot);
    linkAsNewest(slot);
  }

  void remove(int slot) {
    removeFromIndex(slot);
    unlink(slot);
    newer[slot] = freeSlots;
    freeSlots = slot;
    size--;
  }

  private int takeFreeSlot() {
    if (freeSlots != NONE) {
      int slot = freeSlots;
      freeSlots = newer[slot];
      return slot;
    }
    if (usedSlots == keyHi.length) {
      grow();
    }
    return usedSlots++;
  }

  private void linkAsNewest(int slot) {
    older[slot] = newest;
    newer[slot] = NONE;
    if (newest != NONE) {
      newer[newest] = slot;
    } else {
      oldest = slot;
    }
    newest = slot;
  }

  private void unlink(int slot) {
    int before = older[slot];
    int after = newer[slot];
    if (before != NONE) {
      newer[before] = after;
    } else {
      oldest = after;
    }
    if (after != NONE) {
      older[after] = before;
    } else {
      newest = before;
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

  private void grow() {
    int slots = (int) Math.min(maxSize, 2L * keyHi.length);
    keyHi = Arrays.copyOf(keyHi, slots);
    keyLo = Arrays.copyOf(keyLo, slots);
    startNanos = Arrays.copyOf(startNanos, slots);
    stage = Arrays.copyOf(stage, slots);
    older = Arrays.copyOf(older, slots);
    newer = Arrays.copyOf(newer, slots);
    rebuildIndex(slots);
  }

  private void allocate(int slots) {
    keyHi = new long[slots];
    keyLo = new long[slots];
    startNanos = new long[slots];
    stage = new byte[slots];
    older = new int[slots];
    newer = new int[slots];
    rebuildIndex(slots);
  }

  private void rebuildIndex(int slots) {
    index = new int[Integer.highestOneBit(Math.max(1, slots * INDEX_SPREAD - 1)) << 1];
    Arrays.fill(index, EMPTY);
    for (int slot = oldest; slot != NONE; slot = newer[slot]) {
      insertIntoIndex(slot);
    }
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
