package org.udpknock.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class EventWriterTest {
  private static final long T = 1_795_000_000_123_456_789L; // 2026-11-18T11:06:40.123456789Z

  private static String write(boolean json, int digits, java.util.function.Consumer<EventWriter> events) {
    StringWriter text = new StringWriter();
    EventWriter writer = EventWriter.create(json, new PrintWriter(text), 3);
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
    assertEquals("2026-11-18T11:06:40.000000Z granted ::1",
        write(false, 6, w -> w.granted(1_795_000_000_000_000_000L, 0, 1)));
    assertEquals("2026-11-18T11:06:40.123456789Z granted ::1",
        write(false, 6, w -> w.granted(T, 0, 1)), "nanoseconds in a microsecond file show in full");
    assertEquals("1969-12-31T23:59:59.999999Z granted ::1", write(false, 6, w -> w.granted(-1000, 0, 1)));
  }
}
