package org.udpknock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
      } else if (table.isFull()) {
        int oldest = table.oldest();
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
    assertEquals(true, table.isFull());
    for (int i = 0; i < 100_000; i++) {
      assertEquals(i, table.startNanos(table.find(i, ~i)));
    }
    assertEquals(AttemptTable.NONE, table.find(100_000, ~100_000));
  }

  private static List<List<Long>> keysOldestFirst(AttemptTable table) {
    // Walk by removing the oldest repeatedly: the public order the engine relies on.
    List<List<Long>> keys = new ArrayList<>();
    while (table.size() > 0) {
      int oldest = table.oldest();
      keys.add(List.of(table.keyHi(oldest), table.keyLo(oldest)));
      table.remove(oldest);
    }
    return keys;
  }
}
