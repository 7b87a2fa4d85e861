package org.udpknock.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NonceCacheTest {

  @Test
  void entriesLiveUntilTheirExpiryHasPassed() {
    NonceCache cache = new NonceCache(4);
    cache.add(1, 1, 100);
    cache.add(2, 2, 50); // arrived later but expires sooner: kept behind the first
    cache.purge(100, 10);
    assertTrue(cache.contains(1, 1), "at its expiry an entry still lives");
    assertTrue(cache.contains(2, 2), "behind a live entry, an expired one waits");
    cache.purge(101, 10);
    assertFalse(cache.contains(1, 1));
    assertFalse(cache.contains(2, 2));
    assertEquals(0, cache.size());
  }

  @Test
  void purgingDoesNoMoreThanItsBudget() {
    NonceCache cache = new NonceCache(8);
    for (int i = 0; i < 8; i++) {
      cache.add(i, i, 10);
    }
    assertTrue(cache.isFull());
    cache.purge(11, 3);
    assertEquals(5, cache.size());
    assertFalse(cache.contains(2, 2));
    assertTrue(cache.contains(3, 3));
  }

  /** Against a model: many colliding adds and removals keep every lookup right. */
  @Test
  void matchesAModelThroughManyAddsAndPurges() {
    Random random = new Random(7);
    NonceCache cache = new NonceCache(100);
    ArrayDeque<long[]> model = new ArrayDeque<>();
    Set<String> present = new HashSet<>();
    long now = 0;
    for (int step = 0; step < 20_000; step++) {
      now += random.nextInt(3);
      long hi = random.nextInt(50);
      long lo = random.nextInt(50);
      String key = hi + "/" + lo;
      cache.purge(now, 4);
      for (int i = 0; i < 4 && !model.isEmpty() && model.peekFirst()[2] < now; i++) {
        long[] gone = model.removeFirst();
        present.remove(gone[0] + "/" + gone[1]);
      }
      assertEquals(present.contains(key), cache.contains(hi, lo), "step " + step + " " + key);
      if (!present.contains(key) && !cache.isFull()) {
        long expiry = now + random.nextInt(40);
        cache.add(hi, lo, expiry);
        model.addLast(new long[] {hi, lo, expiry});
        present.add(key);
      }
      assertEquals(model.size(), cache.size());
    }
  }
}
