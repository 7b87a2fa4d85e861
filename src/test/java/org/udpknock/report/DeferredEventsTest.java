package org.udpknock.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.udpknock.auth.Verdict;
import org.udpknock.core.Addresses;
import org.udpknock.core.ResetReason;

/**
 * Replay's delivering thread records the doors' events and the reading thread writes them
 * later: what is written must be what the doors would have written at once, every kind of
 * event, in order, each at the time precision of its own capture, and nothing before
 * {@link DeferredEvents#writeAll}.
 */
class DeferredEventsTest {
  private static final long T0 = 1_795_000_000_123_456_789L;
  private static final long LO = Addresses.ipv4Lo(0x0A000001);

  @ParameterizedTest(name = "json {0}")
  @ValueSource(booleans = {false, true})
  void recordedEventsAreWrittenAsTheDoorsWouldHaveWrittenThem(boolean json) {
    String direct = written(json, null);
    String deferred = written(json, new DeferredEvents());

    assertTrue(direct.lines().count() >= 9, direct);
    assertEquals(direct, deferred);
  }

  @ParameterizedTest(name = "json {0}")
  @ValueSource(booleans = {false, true})
  void nothingIsWrittenUntilWriteAllAndWriteAllEmptiesIt(boolean json) {
    StringWriter text = new StringWriter();
    EventWriter writer = EventWriter.create(json, new PrintWriter(text));
    DoorEvents door = writer.forDoor("default", 3);
    DeferredEvents deferred = new DeferredEvents();
    writer.deferTo(deferred);
    door.granted(T0, 0, LO);
    writer.flush();
    assertEquals("", text.toString());

    writer.deferTo(null);
    deferred.writeAll();
    deferred.writeAll();
    writer.flush();
    assertEquals(1, text.toString().lines().count(), text.toString());
    assertTrue(deferred.isEmpty());
  }

  /** Every kind of door event from two doors, in two time precisions; recorded first if {@code deferred}. */
  private static String written(boolean json, DeferredEvents deferred) {
    StringWriter text = new StringWriter();
    EventWriter writer = EventWriter.create(json, new PrintWriter(text));
    DoorEvents one = writer.forDoor("default", 3);
    DoorEvents two = writer.forDoor("other", 2);
    writer.deferTo(deferred);
    at(writer, deferred, 6, events -> {
      one.knock(T0, 0, LO, 12001, 1);
      two.knock(T0, 0, LO, 12003, 1);
      one.reset(T0 + 1_000, 0, LO, ResetReason.WRONG_PORT);
      one.guardTripped(T0 + 2_000, 0, LO, 12000);
    });
    at(writer, deferred, 9, events -> {
      one.knockBlocked(T0 + 3_000, 0, LO, 12001);
      one.knockBlocked(T0 + 3_001, 0, LO, 12001);
      two.granted(T0 + 4_000, Addresses.LINK_LOCAL_HI, 1);
      one.trackingCapped(T0 + 5_000, 1234);
      one.rejected(T0 + 6_000, 0, LO, 12002, Verdict.values()[1]);
      two.reset(T0 + 7_000, 0, LO, ResetReason.EXPIRED);
    });
    writer.deferTo(null);
    if (deferred != null) {
      deferred.writeAll();
    }
    writer.finishBlocked(T0 + 8_000);
    writer.flush();
    return text.toString();
  }

  /** Runs {@code events} at {@code digits} of time precision: the writer's, or the recording's. */
  private static void at(EventWriter writer, DeferredEvents deferred, int digits, Consumer<Void> events) {
    if (deferred == null) {
      writer.setTimeDigits(digits);
    } else {
      deferred.setTimeDigits(digits);
    }
    events.accept(null);
  }
}
