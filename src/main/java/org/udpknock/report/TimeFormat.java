package org.udpknock.report;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** ISO-8601 UTC times at the precision the capture has: {@code 2026-11-24T17:00:00.123456Z}. */
public final class TimeFormat {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

  private TimeFormat() {}

  /**
   * The last second formatted, shared by every thread: events come in time order, so most lines
   * fall in the second before them, and the date's formatting (the costly part) is done once a
   * second rather than once a line. Immutable, so a thread sees a whole pair or the previous one.
   */
  private record Second(long epochSecond, String text) {}

  private static volatile Second last = new Second(Long.MIN_VALUE, "");

  /**
   * Formats with {@code digits} fraction digits (6 for a microsecond capture, 9 for nanoseconds),
   * or all nine when the time carries more precision than that, so nothing is ever rounded away.
   */
  public static String format(long epochNanos, int digits) {
    return appendTo(new LineBuffer(32), epochNanos, digits).toString();
  }

  /** Appends the time as {@link #format} gives it. */
  static LineBuffer appendTo(LineBuffer line, long epochNanos, int digits) {
    long seconds = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
    int nanos = (int) Math.floorMod(epochNanos, NANOS_PER_SECOND);
    int shown = Math.max(0, Math.min(9, digits));
    if (nanos % pow10(9 - shown) != 0) {
      shown = 9;
    }
    line.append(secondText(seconds));
    if (shown > 0) {
      line.append('.').appendPadded(nanos / pow10(9 - shown), shown);
    }
    return line.append('Z');
  }

  private static String secondText(long epochSecond) {
    Second second = last;
    if (second.epochSecond() != epochSecond) {
      second = new Second(epochSecond, SECONDS.format(LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC)));
      last = second;
    }
    return second.text();
  }

  private static final int[] POWERS_OF_TEN = {1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000,
      100_000_000, 1_000_000_000};

  private static int pow10(int exponent) {
    return POWERS_OF_TEN[exponent];
  }
}
