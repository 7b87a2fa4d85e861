package org.udpknock.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class EventWriterTest {
  private static final long T = 1_795_000_000_123_456_789L; // 2026-11-18T11:06:40.123456789Z

  private static String write(boolean json, int digits, java.util.function.Consumer<EventWriter> events) {
    StringWriter text = new StringWriter();
    EventWriter writer = EventWriter.create(json, new PrintWriter(text));
    writer.setTimeDigits(digits);
    events.accept(writer);
    writer.flush();
    return text.toString().strip();
  }

  @Test
  void serverEventsInText() {
    assertEquals("2026-11-18T11:06:40.123456789Z served 127.0.0.1",
        write(false, 9, w -> w.serverEvent("served", T, "127.0.0.1")));
    assertEquals("2026-11-18T11:06:40.123456789Z service-open port 2223",
        write(false, 9, w -> w.serverEvent("service-open", T, null, "port", 2223)));
  }

  /** A door's server events name the door right after the event, in text; as "door" in JSON. */
  @Test
  void aDoorsServerEventsNameTheDoor() {
    assertEquals("2026-11-18T11:06:40.123456789Z service-open ssh port 22",
        write(false, 9, w -> w.forDoor("ssh", 3).serverEvent("service-open", T, null, "port", 22)));
    assertEquals("{\"event\":\"served\",\"time\":\"2026-11-18T11:06:40.123456789Z\",\"door\":\"ssh\",\"source\":\"::1\"}",
        write(true, 9, w -> w.forDoor("ssh", 3).serverEvent("served", T, "::1")));
    assertEquals("2026-11-18T11:06:40.123456789Z knock ssh ::1 port 22 stage 2/4",
        write(false, 9, w -> w.forDoor("ssh", 4).knock(T, 0, 1, 22, 2)));
  }

  @Test
  void serverEventsInJsonQuoteStringsAndKeepNumbers() {
    assertEquals("{\"event\":\"listening\",\"time\":\"2026-11-18T11:06:40.123456789Z\",\"interface\":\"lo\","
            + "\"filter\":\"udp and (dst port 1)\",\"service_port\":2223,\"note\":\"a \\\"quoted\\\"\\nline\"}",
        write(true, 9, w -> w.serverEvent("listening", T, null, "interface", "lo", "filter",
            "udp and (dst port 1)", "service-port", 2223, "note", "a \"quoted\"\nline")));
    assertEquals("{\"event\":\"refused\",\"time\":\"2026-11-18T11:06:40.123456789Z\",\"source\":\"::1\"}",
        write(true, 9, w -> w.serverEvent("refused", T, "::1")));
  }

  @Test
  void timesKeepTheCapturesPrecisionAndNeverRoundAway() {
    assertEquals("2026-11-18T11:06:40.000000Z granted default ::1",
        write(false, 6, w -> w.forDoor("default", 3).granted(1_795_000_000_000_000_000L, 0, 1)));
    assertEquals("2026-11-18T11:06:40.123456789Z granted default ::1",
        write(false, 6, w -> w.forDoor("default", 3).granted(T, 0, 1)), "nanoseconds in a microsecond file show in full");
    assertEquals("1969-12-31T23:59:59.999999Z granted default ::1", write(false, 6, w -> w.forDoor("default", 3).granted(-1000, 0, 1)));
  }

  private static final long V4 = 0x0000_ffff_0a00_0001L; // ::ffff:10.0.0.1

  @Test
  void aBlockedKnockIsOneLineInTextAndInJson() {
    assertEquals("2026-11-18T11:06:40.123456789Z blocked default 10.0.0.1 port 12001",
        write(false, 9, w -> w.forDoor("default", 3).knockBlocked(T, 0, V4, 12001)));
    assertEquals("{\"event\":\"blocked\",\"time\":\"2026-11-18T11:06:40.123456789Z\",\"door\":\"default\",\"source\":\"10.0.0.1\","
        + "\"port\":12001}", write(true, 9, w -> w.forDoor("default", 3).knockBlocked(T, 0, V4, 12001)));
  }

  /** Any spoofer makes blocked knocks: 10 lines a second by packet time, then a summary. */
  @Test
  void blockedKnocksAreRateLimitedByPacketTimeAndSummarized() {
    String log = write(false, 9, w -> {
      for (int i = 0; i < 1_000; i++) {
        w.forDoor("default", 3).knockBlocked(T + i * 500_000L, 0, V4, 12001); // 1,000 in 0.5 s
      }
      w.forDoor("default", 3).knockBlocked(T + 1_000_000_000L, 0, V4, 12001); // the next window: a line again
      w.finishBlocked(T + 2_000_000_000L);
    });
    java.util.List<String> lines = log.lines().toList();
    assertEquals(12, lines.size(), log);
    assertEquals(10, lines.subList(0, 10).stream().filter(l -> l.endsWith(" blocked default 10.0.0.1 port 12001")).count());
    assertEquals("2026-11-18T11:06:41.123456789Z blocked-summary not-logged 990 blocked 1000", lines.get(10));
    assertEquals("2026-11-18T11:06:41.123456789Z blocked default 10.0.0.1 port 12001", lines.get(11));
  }

  @Test
  void aWindowOfBlockedKnocksIsSummarizedByTheTimerAfterItEnds() {
    String log = write(true, 9, w -> {
      for (int i = 0; i < 11; i++) {
        w.forDoor("default", 3).knockBlocked(T + i, 0, V4, 12001);
      }
      w.summarizeBlocked(T + 999_999_999L); // the window is not over yet
      w.summarizeBlocked(T + 1_000_000_000L);
      w.finishBlocked(T + 2_000_000_000L); // nothing left
    });
    assertEquals(11, log.lines().count(), log);
    assertEquals("{\"event\":\"blocked-summary\",\"time\":\"2026-11-18T11:06:41.123456789Z\",\"not_logged\":1,"
        + "\"blocked\":11}", log.lines().reduce((a, b) -> b).orElseThrow());
  }
}
