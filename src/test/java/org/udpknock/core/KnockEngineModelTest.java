package org.udpknock.core;

import static org.udpknock.core.CoreTestValues.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine against a reference model written the plain way, with two LinkedHashMaps for the
 * two age lists: random datagrams from a few sources to the sequence and guard ports, a table
 * too small for them, time that mostly advances and sometimes steps back. Every event must match.
 */
class KnockEngineModelTest {
  private static final KnockSequence SEQUENCE = KnockSequence.DEFAULT;
  private static final int[] PORTS = {12000, 12001, 12001, 12002, 12002, 12003, 12003, 12004};
  private static final int MAX_SOURCES = 4;

  @ParameterizedTest
  @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")
  void matchesTheReferenceModel(long baseTime) {
    RecordingListener events = new RecordingListener(baseTime);
    KnockEngine engine = new KnockEngine(SEQUENCE, ScanGuard.of(SEQUENCE, 1), TIMEOUT, MAX_SOURCES, events);
    Model model = new Model(baseTime);
    Random random = new Random(baseTime);
    long offset = 0;
    for (int step = 0; step < 200_000; step++) {
      offset += random.nextInt(20) == 0 ? -SECOND : random.nextInt(2 * (int) (TIMEOUT / 8 / MS)) * MS;
      offset = offset < 0 ? 0 : offset > 90 * SECOND ? 30 * SECOND : offset; // within the base times' margin
      long source = Addresses.ipv4Lo(0x0A000000 + random.nextInt(7));
      int port = PORTS[random.nextInt(PORTS.length)];
      engine.onDatagram(baseTime + offset, 0, source, port);
      model.onDatagram(offset, source, port);
      for (String expected : model.events) {
        events.take(expected);
      }
      events.assertNoMoreEvents();
      model.events.clear();
    }
    assertEquals(model.blocked + model.attempts(), engine.attemptsInProgress() + engine.blockedSources());
    assertEquals(model.grants, engine.grants());
    assertTrue(engine.grants() > 500 && engine.evicted() > 1_000 && engine.blockedKnocks() > 1_000,
        "the stream must exercise grants, evictions and blocks: " + engine.grants() + ", "
            + engine.evicted() + ", " + engine.blockedKnocks());
  }

  /** Times are offsets from the base; an entry is {start, stage}, stage 0 being a block. */
  private static final class Model {
    final List<String> events = new ArrayList<>();
    final Map<Long, long[]> probation = new LinkedHashMap<>();
    final Map<Long, long[]> protectedList = new LinkedHashMap<>();
    int blocked;
    long grants;

    Model(long base) {}

    int attempts() {
      return probation.size() + protectedList.size() - blocked;
    }

    void onDatagram(long now, long source, int port) {
      boolean knock = SEQUENCE.contains(port);
      if (!knock && port != 12000 && port != 12004) {
        return;
      }
      purge(probation, now);
      purge(protectedList, now);
      long[] entry = find(source);
      if (entry != null && expired(entry, now)) {
        discard(source, entry, now);
        entry = null;
      }
      if (knock) {
        onKnock(now, source, port, entry);
      } else {
        onGuardHit(now, source, port, entry);
      }
    }

    private void onKnock(long now, long source, int port, long[] entry) {
      if (entry == null) {
        if (port == SEQUENCE.firstPort()) {
          makeRoom(now);
          probation.put(source, new long[] {now, 1});
          event(now, "knock", source, port + " 1");
        }
      } else if (entry[1] == 0) {
        if (port == SEQUENCE.firstPort()) {
          event(now, "blocked", source, String.valueOf(port));
        }
      } else if (port == SEQUENCE.port((int) entry[1])) {
        entry[1]++;
        event(now, "knock", source, port + " " + entry[1]);
        if (entry[1] == SEQUENCE.length()) {
          protectedList.remove(source);
          grants++;
          events.add(now + " granted " + Addresses.format(0, source));
        } else if (entry[1] == 2) {
          protectedList.put(source, probation.remove(source));
        }
      } else if (port == SEQUENCE.port((int) entry[1] - 1)) {
        return;
      } else if (port == SEQUENCE.firstPort()) {
        remove(source);
        probation.put(source, new long[] {now, 1});
        event(now, "knock", source, port + " 1");
      } else {
        remove(source);
        event(now, "reset", source, "wrong-port");
      }
    }

    private void onGuardHit(long now, long source, int port, long[] entry) {
      if (entry == null) {
        makeRoom(now);
        probation.put(source, new long[] {now, 0});
        blocked++;
        event(now, "guard", source, String.valueOf(port));
      } else if (entry[1] == 0) {
        remove(source);
        probation.put(source, new long[] {Math.max(entry[0], now), 0});
      } else {
        event(now, "guard", source, String.valueOf(port));
        event(now, "reset", source, "guard");
        remove(source);
        probation.put(source, new long[] {now, 0});
        blocked++;
      }
    }

    private void makeRoom(long now) {
      if (probation.size() + protectedList.size() < MAX_SOURCES) {
        return;
      }
      Map<Long, long[]> list = probation.isEmpty() ? protectedList : probation;
      Map.Entry<Long, long[]> oldest = list.entrySet().iterator().next();
      if (oldest.getValue()[1] == 0 || expired(oldest.getValue(), now)) {
        discard(oldest.getKey(), oldest.getValue(), now);
      } else {
        remove(oldest.getKey());
        event(now, "reset", oldest.getKey(), "evicted");
      }
    }

    private void purge(Map<Long, long[]> list, long now) {
      for (int done = 0; done < 4 && !list.isEmpty(); done++) {
        Iterator<Map.Entry<Long, long[]>> head = list.entrySet().iterator();
        Map.Entry<Long, long[]> oldest = head.next();
        if (!expired(oldest.getValue(), now)) {
          return;
        }
        discard(oldest.getKey(), oldest.getValue(), now);
      }
    }

    private void discard(long source, long[] entry, long now) {
      remove(source);
      if (entry[1] == 0) {
        blocked--;
      } else {
        event(now, "reset", source, "expired");
      }
    }

    private long[] find(long source) {
      long[] entry = probation.get(source);
      return entry != null ? entry : protectedList.get(source);
    }

    private void remove(long source) {
      if (probation.remove(source) == null) {
        protectedList.remove(source);
      }
    }

    private static boolean expired(long[] entry, long now) {
      return now > entry[0] && now - entry[0] > TIMEOUT;
    }

    private void event(long now, String kind, long source, String rest) {
      events.add(now + " " + kind + " " + Addresses.format(0, source) + " " + rest);
    }
  }
}
