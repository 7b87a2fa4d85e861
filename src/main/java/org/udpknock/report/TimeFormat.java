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
   * Formats with {@code digits} fraction digits (6 for a microsecond capture, 9 for nanoseconds),
   * or all nine when the time carries more precision than that, so nothing is ever rounded away.
   */
  public static String format(long epochNanos, int digits) {
    long seconds = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
    int nanos = (int) Math.floorMod(epochNanos, NANOS_PER_SECOND);
    int shown = Math.max(0, Math.min(9, digits));
    if (nanos % pow10(9 - shown) != 0) {
      shown = 9;
    }
    StringBuilder text = new StringBuilder(32);
    text.append(SECONDS.format(LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC)));
    if (shown > 0) {
      String fraction = Integer.toString(nanos + 1_000_000_000).substring(1); // zero-padded to 9
      text.append('.').append(fraction, 0, shown);
    }
    return text.append('Z').toString();
  }

  private static int pow10(int exponent) {
    int value = 1;
    for (int i = 0; i < exponent; i++) {
      value *= 10;
    }
    return value;
  }
}
