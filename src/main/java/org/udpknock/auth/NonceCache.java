package org.udpknock.auth;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The nonces of accepted knocks, each kept until its knock could no longer pass the skew
 * check: its expiry is its timestamp + max skew, in packet time.
 *
 * <p>Entries sit in a ring in arrival order, with an open-addressing index over them, so that
 * looking up, adding and purging are O(1) per packet. Arrival order is not exactly expiry order
 * (timestamps vary within the skew), so the oldest entry is purged only once it has expired:
 * an entry may outlive its expiry behind an older one, never the reverse.
 *
 * <p>When full, the cache refuses new nonces instead of evicting one: evicting a live nonce
 * would let a sniffed copy of its knock in again. Only holders of the key can fill it (a nonce
 * is added only after its tag checks), so failing closed denies no one but a key holder.
 *
 * <p>Not thread-safe: one thread feeds it.
 */
final class NonceCache {
  /** Index cells per entry: keeps linear probes short. */
  private static final int INDEX_SPREAD = 2;
  private static final int EMPTY = -1;

  private final int capacity;
  private final long seed = ThreadLocalRandom.current().nextLong();
  private final long[] nonceHi;
  private final long[] nonceLo;
  private final long[] expiresNanos;
  /** Ring: entries from {@code head} for {@code size}, oldest first. */
  private int head;
  private int size;
  /** Open-addressing index of ring positions, or EMPTY. Length is a power of two. */
  private final int[] index;

  NonceCache(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity < 1: " + capacity);
    }
    this.capacity = capacity;
    nonceHi = new long[capacity];
    nonceLo = new long[capacity];
    expiresNanos = new long[capacity];
    index = new int[indexLength(capacity)];
    java.util.Arrays.fill(index, EMPTY);
  }

  /** The heap a cache of {@code capacity} takes: three longs per entry and the index. */
  static long bytesFor(int capacity) {
    return 3L * Long.BYTES * capacity + (long) Integer.BYTES * indexLength(capacity);
  }

  private static int indexLength(int capacity) {
    return Integer.highestOneBit(Math.max(1, capacity * INDEX_SPREAD - 1)) << 1;
  }

  int size() {
    return size;
  }

  boolean isFull() {
    return size == capacity;
  }

  boolean contains(long hi, long lo) {
    return index[cellOf(hi, lo)] != EMPTY;
  }

  /** Adds a nonce that is not in the cache; the caller checked {@link #isFull}. */
  void add(long hi, long lo, long expiresAtNanos) {
    int position = (head + size) % capacity;
    nonceHi[position] = hi;
    nonceLo[position] = lo;
    expiresNanos[position] = expiresAtNanos;
    index[cellOf(hi, lo)] = position;
    size++;
  }

  /** Removes entries that expired before {@code nowNanos}, oldest first, at most {@code limit}. */
  void purge(long nowNanos, int limit) {
    for (int done = 0; done < limit && size > 0 && expiresNanos[head] < nowNanos; done++) {
      removeFromIndex(head);
      head = (head + 1) % capacity;
      size--;
    }
  }

  /** The cell holding the nonce, or the empty cell where it would go. */
  private int cellOf(long hi, long lo) {
    int mask = index.length - 1;
    for (int cell = hash(hi, lo) & mask; ; cell = (cell + 1) & mask) {
      int position = index[cell];
      if (position == EMPTY || (nonceHi[position] == hi && nonceLo[position] == lo)) {
        return cell;
      }
    }
  }

  /** Backward-shift deletion: later cells of the probe run move up, so lookups stay correct. */
  private void removeFromIndex(int position) {
    int mask = index.length - 1;
    int hole = cellOf(nonceHi[position], nonceLo[position]);
    index[hole] = EMPTY;
    for (int cell = (hole + 1) & mask; index[cell] != EMPTY; cell = (cell + 1) & mask) {
      int moving = index[cell];
      int home = hash(nonceHi[moving], nonceLo[moving]) & mask;
      // Move the entry into the hole unless its home lies cyclically in (hole, cell].
      if (((cell - home) & mask) >= ((cell - hole) & mask)) {
        index[hole] = moving;
        index[cell] = EMPTY;
        hole = cell;
      }
    }
  }

  private int hash(long hi, long lo) {
    long h = (hi ^ seed) * 0x9E37_79B9_7F4A_7C15L;
    h ^= lo + (h >>> 29);
    h *= 0xBF58_476D_1CE4_E5B9L;
    return (int) (h ^ (h >>> 32));
  }
}
