package org.udpknock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.udpknock.core.CoreTestValues.SECOND;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The grant table against a reference model that states the rules in the plainest way: a map
 * from source to start time in grant order, renewal moves to the end, a start never precedes
 * the newest, the oldest makes room. Random operations (few sources, so renewals, evictions and
 * collisions in the index are frequent), time moving mostly forward and sometimes back (up to 100 ms), at
 * every base time; every answer must agree.
 */
class GrantTableModelTest {
  private static final long DURATION = 3 * SECOND;
  private static final int STEPS = 4_000;
  private static final long MS = CoreTestValues.MS;

  static Stream<Arguments> runs() {
    return CoreTestValues.baseTimes().boxed().flatMap(t -> IntStream.of(1, 2, 7, 64)
        .mapToObj(capacity -> Arguments.of(t, capacity, 31L * capacity + t)));
  }

  @ParameterizedTest(name = "base {0}, capacity {1}")
  @MethodSource("runs")
  void agreesWithTheModel(long base, int capacity, long seed) {
    Random random = new Random(seed);
    GrantTable table = new GrantTable(DURATION, capacity);
    Model model = new Model(capacity);
    long now = base;
    for (int step = 0; step < STEPS; step++) {
      // About 16 ms forward per step on average: 4000 steps stay within the base times' 100 s margin.
      now += random.nextInt(20) == 0 ? -random.nextInt(100) * MS : random.nextInt(40) * MS;
      long source = Addresses.ipv4Lo(0x0A000000 + random.nextInt(3 * capacity + 2));
      String at = "step " + step + " at " + now;
      switch (random.nextInt(4)) {
        case 0, 1 -> assertEquals(model.grant(source, now), table.grant(0, source, now), at);
        case 2 -> assertEquals(model.isGranted(source, now), table.isGranted(0, source, now), at);
        default -> {
          int limit = 1 + random.nextInt(4);
          assertEquals(model.expire(now, limit), table.expire(now, limit), at);
        }
      }
      assertEquals(model.starts.size(), table.size(), at);
      assertEquals(model.evicted, table.evicted(), at);
    }
  }

  /** The rules, plainly. */
  private static final class Model {
    private final int capacity;
    /** Source to grant start, oldest grant first. */
    private final Map<Long, Long> starts = new LinkedHashMap<>();
    private long newest = Long.MIN_VALUE;
    private long evicted;

    Model(int capacity) {
      this.capacity = capacity;
    }

    GrantTable.Removal grant(long source, long now) {
      newest = Math.max(newest, now);
      GrantTable.Removal removed = null;
      if (starts.remove(source) == null && starts.size() == capacity) {
        Map.Entry<Long, Long> oldest = starts.entrySet().iterator().next();
        starts.remove(oldest.getKey());
        long end = end(oldest.getValue());
        boolean ended = end <= newest;
        evicted += ended ? 0 : 1;
        removed = new GrantTable.Removal(0, oldest.getKey(), ended ? end : newest, !ended);
      }
      starts.put(source, newest);
      return removed;
    }

    boolean isGranted(long source, long now) {
      Long start = starts.get(source);
      return start != null && now < end(start);
    }

    List<GrantTable.Removal> expire(long now, int limit) {
      List<GrantTable.Removal> expired = new ArrayList<>();
      Iterator<Map.Entry<Long, Long>> oldestFirst = starts.entrySet().iterator();
      while (expired.size() < limit && oldestFirst.hasNext()) {
        Map.Entry<Long, Long> grant = oldestFirst.next();
        if (end(grant.getValue()) > now) {
          break;
        }
        expired.add(new GrantTable.Removal(0, grant.getKey(), end(grant.getValue()), false));
        oldestFirst.remove();
      }
      return expired;
    }

    private static long end(long start) {
      return start > Long.MAX_VALUE - DURATION ? Long.MAX_VALUE : start + DURATION;
    }
  }
}
