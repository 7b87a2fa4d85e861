package org.udpknock.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import jdk.internal.vm.annotation.Contended;

/**
 * The attempts in progress, keyed by 128-bit source address, kept in two age lists.
 *
 * <p>Why not a {@code LinkedHashMap}: a million spoofed sources would cost ~150 bytes each in
 * entry, key and value objects. Here an attempt is a slot of {@link #BYTES_PER_SLOT} bytes (plus
 * its hash-index share): four longs side by side in a page array, its key, its start time, and
 * its stage with both list links packed into one. A lookup, a restart or a link change then
 * touches one cache line per slot, where parallel arrays touched one per field (replay of a
 * flood from 100k sources is bound by those misses). Slots never move, and an open-addressing
 * index maps addresses to slots. Pages of {@link #PAGE_SLOTS} slots are added as the table fills:
 * growing copies nothing but the index, so a table growing to a million sources never holds its
 * old arrays beside new ones twice their size (the heap's peak, and so the resident memory, stays
 * near the table's own size).
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
// Padded from its neighbours in memory (false sharing): written at every knock by
// the thread that runs the doors; see BatchedReplay.
@Contended
final class AttemptTable {
  static final int NONE = -1;
  /** The list of stage 0 and 1 entries: evicted first. */
  static final int PROBATION = 0;
  /** The list of attempts at stage 2 or more. */
  static final int PROTECTED = 1;
  /** Bytes of a slot: two longs of key, a start time, and a long of stage and two list links. */
  static final int BYTES_PER_SLOT = 4 * 8;
  /** Slots per page of the arrays; a table of fewer has one page of its own size. */
  static final int PAGE_SLOTS = 1024;
  private static final int PAGE_SHIFT = 10;
  private static final int PAGE_MASK = PAGE_SLOTS - 1;
  /** A page's cost beyond its slots: its array's header and the reference to it. */
  private static final int PAGE_OVERHEAD_BYTES = 16 + 4;
  /** A slot's longs in its page: key hi, key lo, start, then the meta long. */
  private static final int SLOT_LONGS = 4;
  private static final int HI = 0;
  private static final int LO = 1;
  private static final int START = 2;
  private static final int META = 3;
  /** The meta long: stage in bits 0-7, the older link in the next LINK_BITS, the newer above. */
  private static final int LINK_BITS = 28;
  private static final long LINK_MASK = (1L << LINK_BITS) - 1;
  private static final int OLDER_SHIFT = 8;
  private static final int NEWER_SHIFT = 8 + LINK_BITS;
  /** A link to no slot, as stored. */
  private static final long NO_LINK = LINK_MASK;
  /** The largest table: a list link is {@link #LINK_BITS} bits, one value of which means none. */
  static final int MAX_SIZE = (1 << LINK_BITS) - 2;
  /** Index cells per slot: keeps linear probes short. */
  private static final int INDEX_SPREAD = 2;
  /**
   * An index cell: the slot in its low {@link #LINK_BITS} bits, and above them a tag of four
   * other bits of the key's hash. A probe reads a slot's key (a cache miss, at 100k sources) only
   * where the tag matches: most cells of a probe are another key's, and a lookup of a new source
   * then reads no slot at all. No slot number is all ones (see {@link #MAX_SIZE}), so no cell in
   * use is {@link #EMPTY}.
   */
  private static final int SLOT_MASK = (1 << LINK_BITS) - 1;
  private static final int TAG_SHIFT = LINK_BITS;
  private static final int EMPTY = -1;

  private final int maxSize;
  private final Allocator allocator;
  private final long seed = ThreadLocalRandom.current().nextLong();
  private final long seedMixedWithZero = mix(seed);

  /**
   * Pages of slots: slot s is the longs from {@code (s & PAGE_MASK) * SLOT_LONGS} of page
   * {@code s >>> PAGE_SHIFT}; the first {@link #pages} are allocated. Age lists: a slot's older
   * link is the slot that joined its list just before it; free slots chain through newer.
   */
  private final long[][] slots;
  private int pages;
  /** Slots the allocated pages hold. */
  private int allocatedSlots;
  private final int[] oldest = {NONE, NONE};
  private final int[] newest = {NONE, NONE};
  private int freeSlots = NONE;
  private int usedSlots;
  private int size;
  private static final VarHandle SIZE = OpaqueField.of(MethodHandles.lookup(), "size", int.class);
  /** maxSize, or the slots already allocated once growing them failed. */
  private int capacity;
  private boolean growthFailed;

  /** Open-addressing index: a slot with its tag (see {@link #SLOT_MASK}), or EMPTY. Length is a power of two. */
  private int[] index;

  AttemptTable(int maxSize) {
    this(maxSize, Allocator.HEAP);
  }

  /** With {@code allocator}, the seam through which tests make growing fail. */
  AttemptTable(int maxSize, Allocator allocator) {
    if (maxSize < 1 || maxSize > MAX_SIZE) {
      throw new IllegalArgumentException("maxSize not in 1.." + MAX_SIZE + ": " + maxSize);
    }
    this.maxSize = maxSize;
    this.capacity = maxSize;
    this.allocator = allocator;
    int pageCount = (maxSize + PAGE_SLOTS - 1) / PAGE_SLOTS;
    slots = new long[pageCount][];
    index = new int[0];
    if (!addPage()) {
      throw new OutOfMemoryError("no heap for the first " + pageLength() + " slots");
    }
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
  }

  /**
   * The most heap a table of {@code maxSize} takes: its pages at full size with their index, and,
   * while the index doubles the last time, the index it grows from. Pages are never copied.
   */
  static long peakBytes(int maxSize) {
    long pageCount = (maxSize + PAGE_SLOTS - 1) / PAGE_SLOTS;
    long slots = maxSize <= PAGE_SLOTS ? maxSize : pageCount * PAGE_SLOTS;
    long pagesBytes = slots * BYTES_PER_SLOT + pageCount * PAGE_OVERHEAD_BYTES;
    long index = 4L * indexLength(maxSize);
    long indexGrownFrom = maxSize <= PAGE_SLOTS ? 0 : index / 2;
    return pagesBytes + index + indexGrownFrom;
  }

  int size() {
    return size;
  }

  /**
   * The size, for a thread other than the owner's: an int cannot tear, and the opaque read is
   * never hoisted out of a loop; it may be a moment stale.
   */
  int sizeOpaque() {
    return (int) SIZE.getOpaque(this);
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
    if (freeSlots != NONE || usedSlots < allocatedSlots) {
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
    return link(meta(slot) >>> NEWER_SHIFT);
  }

  long keyHi(int slot) {
    return field(slot, HI);
  }

  long keyLo(int slot) {
    return field(slot, LO);
  }

  long startNanos(int slot) {
    return field(slot, START);
  }

  int stage(int slot) {
    return (byte) meta(slot);
  }

  private int older(int slot) {
    return link(meta(slot) >>> OLDER_SHIFT);
  }

  private long field(int slot, int field) {
    return slots[slot >>> PAGE_SHIFT][(slot & PAGE_MASK) * SLOT_LONGS + field];
  }

  private void setField(int slot, int field, long value) {
    slots[slot >>> PAGE_SHIFT][(slot & PAGE_MASK) * SLOT_LONGS + field] = value;
  }

  private long meta(int slot) {
    return field(slot, META);
  }

  private static int link(long bits) {
    long slot = bits & LINK_MASK;
    return slot == NO_LINK ? NONE : (int) slot;
  }

  private static long linkBits(int slot) {
    return slot == NONE ? NO_LINK : slot;
  }

  private void setStageByte(int slot, int value) {
    setField(slot, META, (meta(slot) & ~0xFFL) | (value & 0xFFL));
  }

  private void setOlder(int slot, int value) {
    setField(slot, META, (meta(slot) & ~(LINK_MASK << OLDER_SHIFT)) | (linkBits(value) << OLDER_SHIFT));
  }

  private void setNewer(int slot, int value) {
    setField(slot, META, (meta(slot) & ~(LINK_MASK << NEWER_SHIFT)) | (linkBits(value) << NEWER_SHIFT));
  }

  private void setStart(int slot, long nanos) {
    setField(slot, START, nanos);
  }

  /** Sets the stage; an entry that moves into the other list joins it as its newest. */
  void setStage(int slot, int newStage) {
    if (listOf(newStage) != listOf(stage(slot))) {
      unlink(slot);
      setStageByte(slot, newStage);
      linkAsNewest(slot);
    } else {
      setStageByte(slot, newStage);
    }
  }

  /** The slot of this source's attempt, or {@link #NONE}. */
  int find(long hi, long lo) {
    int mask = index.length - 1;
    long hash = hash(hi, lo);
    int tag = tag(hash);
    for (int cell = (int) hash & mask; ; cell = (cell + 1) & mask) {
      int entry = index[cell];
      if (entry == EMPTY) {
        return NONE;
      }
      int slot = entry & SLOT_MASK;
      if ((entry & ~SLOT_MASK) == tag && keyLo(slot) == lo && keyHi(slot) == hi) {
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
    setField(slot, HI, hi);
    setField(slot, LO, lo);
    setStart(slot, start);
    setStageByte(slot, startStage);
    linkAsNewest(slot);
    insertIntoIndex(slot);
    size++;
    return slot;
  }

  /**
   * Adds an entry to its list in start order: after the newest entry that starts no later than
   * {@code start}, walking back from the newest end. O(entries that start later), which is O(1)
   * for an entry that starts about now.
   */
  int addInStartOrder(long hi, long lo, long start, int startStage) {
    int slot = add(hi, lo, start, startStage);
    moveToStartOrder(slot);
    return slot;
  }

  /** Gives an entry a new start and moves it to its place in start order (see {@link #addInStartOrder}). */
  void restartInStartOrder(int slot, long start) {
    restart(slot, start, stage(slot));
    moveToStartOrder(slot);
  }

  /** The entry, newest of its list, moves back past every entry that starts later. */
  private void moveToStartOrder(int slot) {
    int before = older(slot);
    while (before != NONE && startNanos(before) > startNanos(slot)) {
      before = older(before);
    }
    if (before != older(slot)) {
      unlink(slot);
      linkAfter(slot, before);
    }
  }

  /** Links {@code slot} into its list just after {@code before} ({@link #NONE}: as the oldest). */
  private void linkAfter(int slot, int before) {
    int list = listOf(stage(slot));
    int after = before == NONE ? oldest[list] : newer(before);
    setOlder(slot, before);
    setNewer(slot, after);
    if (before == NONE) {
      oldest[list] = slot;
    } else {
      setNewer(before, slot);
    }
    if (after == NONE) {
      newest[list] = slot;
    } else {
      setOlder(after, slot);
    }
  }

  /** Restarts an attempt: a new start time makes it the newest of its (new) list. */
  void restart(int slot, long start, int startStage) {
    unlink(slot);
    setStart(slot, start);
    setStageByte(slot, startStage);
    linkAsNewest(slot);
  }

  void remove(int slot) {
    removeFromIndex(slot);
    unlink(slot);
    setNewer(slot, freeSlots);
    freeSlots = slot;
    size--;
  }

  /** Call only when {@link #hasRoom}. */
  private int takeFreeSlot() {
    if (freeSlots != NONE) {
      int slot = freeSlots;
      freeSlots = newer(slot);
      return slot;
    }
    return usedSlots++;
  }

  private static int listOf(int stage) {
    return stage >= 2 ? PROTECTED : PROBATION;
  }

  private void linkAsNewest(int slot) {
    int list = listOf(stage(slot));
    setOlder(slot, newest[list]);
    setNewer(slot, NONE);
    if (newest[list] != NONE) {
      setNewer(newest[list], slot);
    } else {
      oldest[list] = slot;
    }
    newest[list] = slot;
  }

  private void unlink(int slot) {
    int list = listOf(stage(slot));
    int before = older(slot);
    int after = newer(slot);
    if (before != NONE) {
      setNewer(before, after);
    } else {
      oldest[list] = after;
    }
    if (after != NONE) {
      setOlder(after, before);
    } else {
      newest[list] = before;
    }
  }
  private void insertIntoIndex(int slot) {
    int mask = index.length - 1;
    long hash = hash(keyHi(slot), keyLo(slot));
    int cell = (int) hash & mask;
    while (index[cell] != EMPTY) {
      cell = (cell + 1) & mask;
    }
    index[cell] = slot | tag(hash);
  }

  /** Linear-probing deletion by backward shift, so lookups never need tombstones. */
  private void removeFromIndex(int slot) {
    int mask = index.length - 1;
    int hole = (int) hash(keyHi(slot), keyLo(slot)) & mask;
    while ((index[hole] & SLOT_MASK) != slot) {
      hole = (hole + 1) & mask;
    }
    for (int cell = (hole + 1) & mask; index[cell] != EMPTY; cell = (cell + 1) & mask) {
      int moved = index[cell] & SLOT_MASK;
      int home = (int) hash(keyHi(moved), keyLo(moved)) & mask;
      // Move the entry back into the hole unless its home lies cyclically in (hole, cell].
      boolean homeBetween = hole <= cell ? hole < home && home <= cell : hole < home || home <= cell;
      if (!homeBetween) {
        index[hole] = index[cell];
        hole = cell;
      }
    }
    index[hole] = EMPTY;
  }

  /** Adds a page of slots, up to maxSize; false, and the table unchanged, when the heap has no room. */
  private boolean grow() {
    if (allocatedSlots >= maxSize || !addPage()) {
      capacity = allocatedSlots;
      growthFailed = allocatedSlots < maxSize;
      return false;
    }
    return true;
  }

  /**
   * Allocates the next page of every array, and a larger index if the slots need one, before
   * installing any of them: when the heap runs out, nothing changes.
   */
  private boolean addPage() {
    int length = pageLength();
    int slotCount = (int) Math.min(maxSize, (long) allocatedSlots + length);
    try {
      long[] page = allocator.longs(length * SLOT_LONGS);
      int[] newIndex = indexLength(slotCount) > index.length ? emptyIndex(allocator.ints(indexLength(slotCount))) : null;
      slots[pages] = page;
      pages++;
      allocatedSlots = slotCount;
      if (newIndex != null) {
        reindex(newIndex);
      }
      return true;
    } catch (OutOfMemoryError e) {
      return false;
    }
  }

  /** A page holds PAGE_SLOTS, or all of a smaller table. */
  private int pageLength() {
    return Math.min(maxSize, PAGE_SLOTS);
  }

  /** Moves every slot in use into {@code cells}. No slot is free when the table grows. */
  private void reindex(int[] cells) {
    index = cells;
    for (int slot = 0; slot < usedSlots; slot++) {
      insertIntoIndex(slot);
    }
  }

  private static int[] emptyIndex(int[] cells) {
    Arrays.fill(cells, EMPTY);
    return cells;
  }

  private static int indexLength(int slots) {
    return Integer.highestOneBit(Math.max(1, slots * INDEX_SPREAD - 1)) << 1;
  }

  /** The key's hash: its low bits choose the home cell, its top four the tag ({@link #tag}). */
  private long hash(long hi, long lo) {
    // hi is 0 for every IPv4 source: its inner mix is then the same for all, computed once.
    return mix(lo ^ (hi == 0 ? seedMixedWithZero : mix(hi ^ seed)));
  }

  /** The tag bits of a cell for a key of {@code hash}: bits no index length reaches. */
  private static int tag(long hash) {
    return (int) (hash >>> 60) << TAG_SHIFT;
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
