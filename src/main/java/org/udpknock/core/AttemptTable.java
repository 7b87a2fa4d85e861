package org.udpknock.core;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The attempts in progress, keyed by 128-bit source address, kept in two age lists.
 *
 * <p>Why not a {@code LinkedHashMap}: a million spoofed sources would cost ~150 bytes each in
 * entry, key and value objects. Here an attempt is a slot in parallel primitive arrays
 * ({@link #BYTES_PER_SLOT} bytes plus its hash-index share), slots never move, and an
 * open-addressing index maps addresses to slots. The records come in pages of {@link #PAGE_SLOTS}
 * slots, added as the table fills: growing copies nothing but the index, so a table growing to
 * a million sources never holds its old arrays beside new ones twice their size (the heap's peak,
 * and so the resident memory, stays near the table's own size).
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
  /** Bytes per slot: one record of four longs (key high, key low, start time, stage and list links). */
  static final int BYTES_PER_SLOT = 4 * 8;
  /** Slots per page of records; a table of fewer has one page of its own size. */
  static final int PAGE_SLOTS = 1024;
  /** A page's cost beyond its slots: its array header and the reference to it. */
  static final int PAGE_OVERHEAD_BYTES = 16 + 4;
  /** Slot numbers, stored plus one in 26 bits (0 for none), in links and index cells. */
  private static final int LINK_BITS = 26;
  private static final long LINK_MASK = (1L << LINK_BITS) - 1;
  /** The most slots a table has: links and cells hold a slot number plus one in LINK_BITS. */
  static final int MAX_SLOTS = (int) LINK_MASK - 1;
  private static final int STAGE_BITS = 6;
  private static final long STAGE_MASK = (1L << STAGE_BITS) - 1;
  private static final int OLDER_SHIFT = STAGE_BITS;
  private static final int NEWER_SHIFT = 32;
  private static final int PAGE_SHIFT = 10;
  private static final int PAGE_MASK = PAGE_SLOTS - 1;
  /** Longs of a record, and their places in it. */
  private static final int RECORD_SHIFT = 2;
  private static final int HI = 0;
  private static final int LO = 1;
  private static final int START = 2;
  private static final int META = 3;
  /** Index cells per slot: keeps linear probes short. */
  private static final int INDEX_SPREAD = 2;
  private static final int EMPTY = 0;
  /** A removed entry's cell: probes pass over it, an insertion reuses it. No slot's cell has this value. */
  private static final int TOMBSTONE = (int) LINK_MASK;
  /** The stage of a free slot, so that rebuilding the index passes over it. */
  private static final int FREE = (int) STAGE_MASK;

  private final int maxSize;
  private final Allocator allocator;
  private final long seed = ThreadLocalRandom.current().nextLong();

  /**
   * Pages of records: slot s is the four longs at {@code [s >>> PAGE_SHIFT][(s & PAGE_MASK) << 2]},
   * so that a lookup and what the engine then reads and writes of the slot are one or two cache
   * lines, not one in each of six arrays. The first {@link #pages} are allocated. The meta long
   * holds the stage (low 6 bits) and the age-list links, each a slot number plus one in 26 bits:
   * the slot that joined s's list just before s (older), and just after (newer; for a free slot,
   * the next free one).
   */
  private final long[][] records;
  private int pages;
  /** Slots the allocated pages hold. */
  private int allocatedSlots;
  private final int[] oldest = {NONE, NONE};
  private final int[] newest = {NONE, NONE};
  private int freeSlots = NONE;
  private int usedSlots;
  private int size;
  /** maxSize, or the slots already allocated once growing them failed. */
  private int capacity;
  private boolean growthFailed;

  /**
   * Open-addressing index, length a power of two. A cell is EMPTY, or the slot number plus one
   * in its low 26 bits and the top 6 bits of the key's hash above them: a probe whose hash bits
   * differ is passed over without reading the slot's key.
   */
  private int[] index;
  /** Cells of the index that are {@link #TOMBSTONE}s. */
  private int tombstones;
  /** The cell of the last slot {@link #find} found: the engine removes the slot it has just found. */
  private int foundCell;

  AttemptTable(int maxSize) {
    this(maxSize, Allocator.HEAP);
  }

  /** With {@code allocator}, the seam through which tests make growing fail. */
  AttemptTable(int maxSize, Allocator allocator) {
    if (maxSize < 1 || maxSize > MAX_SLOTS) {
      throw new IllegalArgumentException("maxSize not in 1.." + MAX_SLOTS + ": " + maxSize);
    }
    this.maxSize = maxSize;
    this.capacity = maxSize;
    this.allocator = allocator;
    records = new long[(maxSize + PAGE_SLOTS - 1) / PAGE_SLOTS][];
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
    return (int) ((meta(slot) >>> NEWER_SHIFT) & LINK_MASK) - 1;
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
    return (int) (meta(slot) & STAGE_MASK);
  }

  private long field(int slot, int field) {
    return records[slot >>> PAGE_SHIFT][((slot & PAGE_MASK) << RECORD_SHIFT) + field];
  }

  private void setField(int slot, int field, long value) {
    records[slot >>> PAGE_SHIFT][((slot & PAGE_MASK) << RECORD_SHIFT) + field] = value;
  }

  private long meta(int slot) {
    return field(slot, META);
  }

  private int older(int slot) {
    return (int) ((meta(slot) >>> OLDER_SHIFT) & LINK_MASK) - 1;
  }

  private void setStageByte(int slot, int value) {
    setField(slot, META, (meta(slot) & ~STAGE_MASK) | value);
  }

  private void setOlder(int slot, int value) {
    setField(slot, META, (meta(slot) & ~(LINK_MASK << OLDER_SHIFT)) | ((value + 1L) << OLDER_SHIFT));
  }

  private void setNewer(int slot, int value) {
    setField(slot, META, (meta(slot) & ~(LINK_MASK << NEWER_SHIFT)) | ((value + 1L) << NEWER_SHIFT));
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
    int hash = hash(hi, lo);
    int tag = hash >>> LINK_BITS;
    for (int cell = hash & mask; ; cell = (cell + 1) & mask) {
      int entry = index[cell];
      if (entry == EMPTY) {
        return NONE;
      }
      int slot = (entry & (int) LINK_MASK) - 1;
      if (entry >>> LINK_BITS == tag && entry != TOMBSTONE && keyLo(slot) == lo && keyHi(slot) == hi) {
        foundCell = cell;
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
    setField(slot, META, startStage);
    linkAsNewest(slot);
    insertIntoIndex(slot);
    size++;
    return slot;
  }

  /** Restarts an attempt: a new start time makes it the newest of its (new) list. */
  void restart(int slot, long start, int startStage) {
    unlink(slot);
    setStart(slot, start);
    setStageByte(slot, startStage);
    linkAsNewest(slot);
  }

  void remove(int slot) {
    unlink(slot);
    setStageByte(slot, FREE);
    setNewer(slot, freeSlots);
    freeSlots = slot;
    size--;
    removeFromIndex(slot);
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

  /** The index cell of a slot whose key hashes to {@code hash}. */
  private static int entry(int slot, int hash) {
    return (hash >>> LINK_BITS << LINK_BITS) | (slot + 1);
  }

  /** Puts the slot, which the index does not hold, in the first empty or removed cell of its probe. */
  private void insertIntoIndex(int slot) {
    int mask = index.length - 1;
    int hash = hash(keyHi(slot), keyLo(slot));
    int cell = hash & mask;
    while (index[cell] != EMPTY && index[cell] != TOMBSTONE) {
      cell = (cell + 1) & mask;
    }
    if (index[cell] == TOMBSTONE) {
      tombstones--;
    }
    index[cell] = entry(slot, hash);
  }

  /**
   * Marks the slot's cell removed: no other cell moves, so no other key is read or hashed (a
   * backward shift, which leaves no tombstones, rehashed the key of every cell after the hole and
   * was the replay's top frame). When a quarter of the cells are tombstones, the index is rebuilt
   * in place from the records, so probes stay short.
   */
  private void removeFromIndex(int slot) {
    int cell = foundCell < index.length && (index[foundCell] & (int) LINK_MASK) == slot + 1 ? foundCell : cellOf(slot);
    index[cell] = TOMBSTONE;
    if (++tombstones > index.length >>> 2) {
      reindex(index);
    }
  }

  private int cellOf(int slot) {
    int mask = index.length - 1;
    int hash = hash(keyHi(slot), keyLo(slot));
    int entry = entry(slot, hash);
    int cell = hash & mask;
    while (index[cell] != entry) {
      cell = (cell + 1) & mask;
    }
    return cell;
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
   * Allocates the next page of records, and a larger index if the slots need one, before
   * installing either: when the heap runs out, nothing changes.
   */
  private boolean addPage() {
    int length = pageLength();
    int slots = (int) Math.min(maxSize, (long) allocatedSlots + length);
    try {
      long[] page = allocator.longs(length << RECORD_SHIFT);
      int[] newIndex = indexLength(slots) > index.length ? allocator.ints(indexLength(slots)) : null;
      records[pages] = page;
      pages++;
      allocatedSlots = slots;
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

  /** Puts every slot in use, in slot order, into {@code cells}, emptied first (it may be the index itself). */
  private void reindex(int[] cells) {
    Arrays.fill(cells, EMPTY);
    index = cells;
    tombstones = 0;
    for (int slot = 0; slot < usedSlots; slot++) {
      if (stage(slot) != FREE) {
        insertIntoIndex(slot);
      }
    }
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
