package org.udpknock.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as the command line and the config file write them: {@code 500ms}, {@code 5s}, {@code 2m}. */
public final class Durations {
  private Durations() {}

  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ns|us|ms|s|m|h)?");
  private static final String[] UNITS = {"h", "m", "s", "ms", "us", "ns"};
  private static final long[] UNIT_NANOS = {3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L,
      1_000_000L, 1_000L, 1L};

  /**
   * Parses {@code 5s}, {@code 500ms}, {@code 2m}, {@code 1h}, {@code 250us}, {@code 10ns}; a bare
   * number is seconds.
   *
   * @throws IllegalArgumentException naming the text, when it is not a duration or too long
   */
  public static long parseNanos(String text) {
    Matcher match = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!match.matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration; write it like 5s, 500ms or 2m");
    }
    long amount = Long.parseLong(match.group(1));
    String unit = match.group(2) == null ? "s" : match.group(2);
    long nanosPerUnit = UNIT_NANOS[java.util.Arrays.asList(UNITS).indexOf(unit)];
    if (amount > Long.MAX_VALUE / nanosPerUnit) {
      throw new IllegalArgumentException("'" + text + "' is too long a duration");
    }
    return amount * nanosPerUnit;
  }

  /** The shortest exact spelling that {@link #parseNanos} reads back: {@code 30s}, {@code 1500ms}. */
  public static String format(long nanos) {
    for (int i = 0; i < UNITS.length; i++) {
      if (nanos % UNIT_NANOS[i] == 0 && nanos != 0) {
        return nanos / UNIT_NANOS[i] + UNITS[i];
      }
    }
    return nanos + "ns";
  }
}
