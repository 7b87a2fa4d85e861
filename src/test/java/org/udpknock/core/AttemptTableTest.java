package org.udpknock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The compact table against a LinkedHashMap model, through growth and many removals. */
class AttemptTableTest {

  @Test
  void behavesLikeAnInsertionOrderedMap() {
    AttemptTable table = new AttemptTable(5_000);
    Map<List<Long>, Long> model = new LinkedHashMap<>();
    Random random = new Random(1);
    for (int step = 0; step < 300_000; step++) {
      // Few distinct keys, so finds, removals and re-adds collide often.
      long hi = random.nextInt(3);
      long lo = random.nextInt(6_000);
      List<Long> key = List.of(hi, lo);
      int slot = table.find(hi, lo);
      assertEquals(model.containsKey(key), slot != AttemptTable.NONE, "find at step " + step);
      if (slot != AttemptTable.NONE) {
        assertEquals(model.get(key), table.startNanos(slot));
        if (random.nextBoolean()) {
          table.remove(slot);
          model.remove(key);
        } else {
          table.restart(slot, step, 1);
          model.remove(key);
          model.put(key, (long) step);
        }
      } else if (!table.hasRoom()) {
        int oldest = table.oldest(AttemptTable.PROBATION);
        List<Long> oldestKey = model.keySet().iterator().next();
        assertEquals(oldestKey, List.of(table.keyHi(oldest), table.keyLo(oldest)));
        table.remove(oldest);
        model.remove(oldestKey);
      } else {
        table.add(hi, lo, step, 1);
        model.put(key, (long) step);
      }
      assertEquals(model.size(), table.size());
    }
    assertEquals(new ArrayList<>(model.keySet()), keysOldestFirst(table));
  }

  @Test
  void growsFromItsInitialSizeToTheCap() {
    AttemptTable table = new AttemptTable(100_000);
    for (int i = 0; i < 100_000; i++) {
      table.add(i, ~i, i, 1);
    }
    assertEquals(false, table.hasRoom());
    for (int i = 0; i < 100_000; i++) {
      assertEquals(i, table.startNanos(table.find(i, ~i)));
    }
    assertEquals(AttemptTable.NONE, table.find(100_000, ~100_000));
  }

  /**
   * Two age lists through the same slots: stages 0 and 1 (probation) and 2 or more (protected),
   * against two LinkedHashMaps; eviction takes the oldest probationary entry, else the oldest
   * protected one.
   */
  @Test
  void keepsTwoAgeListsAndEvictsProbationFirst() {
    AttemptTable table = new AttemptTable(500);
    Map<List<Long>, Long> probation = new LinkedHashMap<>();
    Map<List<Long>, Long> protectedList = new LinkedHashMap<>();
    Random random = new Random(2);
    for (int step = 0; step < 300_000; step++) {
      long hi = random.nextInt(2);
      long lo = random.nextInt(400);
      List<Long> key = List.of(hi, lo);
      int slot = table.find(hi, lo);
      boolean known = probation.containsKey(key) || protectedList.containsKey(key);
      assertEquals(known, slot != AttemptTable.NONE, "find at step " + step);
      if (slot != AttemptTable.NONE) {
        int action = random.nextInt(4);
        if (action == 0) {
          table.remove(slot);
          probation.remove(key);
          protectedList.remove(key);
        } else if (action == 1) {
          table.restart(slot, step, 1);
          protectedList.remove(key);
          probation.remove(key);
          probation.put(key, (long) step);
        } else {
          int stage = Math.min(table.stage(slot) + 1, 5);
          if (stage == 2) { // Only reaching stage 2 moves an entry: to the protected list's end.
            protectedList.put(key, probation.remove(key));
          }
          table.setStage(slot, stage);
          assertEquals(stage, table.stage(slot));
        }
      } else if (!table.hasRoom()) {
        Map<List<Long>, Long> first = probation.isEmpty() ? protectedList : probation;
        List<Long> oldestKey = first.keySet().iterator().next();
        int victim = table.evictionCandidate();
        assertEquals(oldestKey, List.of(table.keyHi(victim), table.keyLo(victim)), "step " + step);
        assertEquals(first.get(oldestKey), table.startNanos(victim));
        table.remove(victim);
        first.remove(oldestKey);
      } else {
        table.add(hi, lo, step, random.nextInt(2)); // a block (0) or a first knock (1)
        probation.put(key, (long) step);
      }
      assertEquals(probation.size() + protectedList.size(), table.size());
      assertHead(probation, table, AttemptTable.PROBATION);
      assertHead(protectedList, table, AttemptTable.PROTECTED);
    }
  }

  private static void assertHead(Map<List<Long>, Long> model, AttemptTable table, int list) {
    int oldest = table.oldest(list);
    if (model.isEmpty()) {
      assertEquals(AttemptTable.NONE, oldest);
    } else {
      assertEquals(model.keySet().iterator().next(), List.of(table.keyHi(oldest), table.keyLo(oldest)));
    }
  }

  /**
   * Issue 9: an OutOfMemoryError in grow left some arrays at the new size and the index at the
   * old one, so every new source then failed with ArrayIndexOutOfBoundsException.
   */
  @Test
  void whenGrowingRunsOutOfHeapTheTableKeepsItsSizeAndStillWorks() {
    AttemptTable table = new AttemptTable(10_000, new FailingAbove(1024));
    for (int i = 0; i < 1024; i++) {
      table.add(i, ~i, i, 1);
    }
    assertFalse(table.hasRoom(), "the index, allocated last, did not fit");
    assertTrue(table.growthFailed());
    assertEquals(1024, table.capacity());
    for (int i = 0; i < 1024; i++) {
      assertEquals(i, table.startNanos(table.find(i, ~i)));
    }
    table.remove(table.evictionCandidate());
    assertTrue(table.hasRoom());
    table.add(5_000, 5_000, 5_000, 1);
    assertEquals(5_000, table.startNanos(table.find(5_000, 5_000)));
    assertEquals(AttemptTable.NONE, table.find(0, ~0));
    assertFalse(table.hasRoom());
  }

  @Test
  void peakBytesCountThePagesTheirIndexAndTheIndexGrownFrom() {
    // One page of the table's own size: 1,000 slots, 2,048 index cells, nothing grown from.
    assertEquals(1000L * AttemptTable.BYTES_PER_SLOT + 20 + 4L * 2048, AttemptTable.peakBytes(1000));
    // 977 pages of 1,024 slots (20 bytes of header and reference each) and 2^21 index cells,
    // the last grown from 2^20.
    assertEquals(977L * 1024 * 32 + 977L * 20 + 4L * (1 << 21) + 4L * (1 << 20),
        AttemptTable.peakBytes(1_000_000));
  }

  /**
   * Issue 11: growing to a million sources doubled every array, so the table held its old
   * arrays beside new ones twice their size: 62 MB at the peak for 41 MB of table, and 82 MB
   * allocated in all, all of it heap the JVM keeps resident. Now only the index is ever
   * replaced: beyond the table itself, growing allocates only the indexes it outgrew (less than
   * one final index in all), and the peak is the table's own size and half an index.
   */
  @Test
  void growingToAMillionSourcesCopiesNoSlotsAndPeaksNearTheTablesSize() {
    Counting counting = new Counting();
    AttemptTable table = new AttemptTable(1_000_000, counting);
    for (int i = 0; i < 1_000_000; i++) {
      assertTrue(table.hasRoom());
      table.add(i, ~i, i, 1);
    }
    assertFalse(table.hasRoom());
    long tableBytes = 977L * 1024 * AttemptTable.BYTES_PER_SLOT + 4L * (1 << 21);
    long outgrown = counting.bytes - tableBytes;
    assertTrue(outgrown < 4L * (1 << 21), counting.bytes + " bytes allocated for a table of " + tableBytes);
    assertTrue(AttemptTable.peakBytes(1_000_000) < tableBytes * 23 / 20, "the peak is within 15% of the table (was 50%)");
    assertEquals(999_999, table.startNanos(table.find(999_999, ~999_999)));
    assertEquals(0, table.startNanos(table.find(0, ~0)));
  }

  /** Counts the bytes of every array the table allocates. */
  static final class Counting implements AttemptTable.Allocator {
    long bytes;

    @Override
    public long[] longs(int length) {
      bytes += 8L * length;
      return new long[length];
    }

    @Override
    public int[] ints(int length) {
      bytes += 4L * length;
      return new int[length];
    }

  }

  /** Refuses int arrays longer than a limit, as a full heap would: the index comes last. */
  static final class FailingAbove implements AttemptTable.Allocator {
    private final int limit;

    FailingAbove(int slots) {
      this.limit = 2 * slots;
    }

    @Override
    public int[] ints(int length) {
      if (length > limit) {
        throw new OutOfMemoryError("Java heap space (injected)");
      }
      return new int[length];
    }
  }

  private static List<List<Long>> keysOldestFirst(AttemptTable table) {
    // Walk by removing the oldest repeatedly: the public order the engine relies on.
    List<List<Long>> keys = new ArrayList<>();
    while (table.size() > 0) {
      int oldest = table.evictionCandidate();
      keys.add(List.of(table.keyHi(oldest), table.keyLo(oldest)));
      table.remove(oldest);
    }
    return keys;
  }
}
