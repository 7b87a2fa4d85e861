package org.udpknock.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.udpknock.core.KnockSequence;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parsers for option values; their messages name the bad value. */
final class Converters {
  private Converters() {}

  private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ns|us|ms|s|m|h)?");

  /** Parses {@code 5s}, {@code 500ms}, {@code 2m}, {@code 1h}, {@code 250us}, {@code 10ns}; a bare number is seconds. */
  static long parseDurationNanos(String text) {
    Matcher match = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!match.matches()) {
      throw new TypeConversionException(
          "'" + text + "' is not a duration; write it like 5s, 500ms or 2m");
    }
    long amount = Long.parseLong(match.group(1));
    String unit = match.group(2) == null ? "s" : match.group(2);
    long nanosPerUnit;
    switch (unit) {
      case "ns": nanosPerUnit = 1L; break;
      case "us": nanosPerUnit = 1_000L; break;
      case "ms": nanosPerUnit = 1_000_000L; break;
      case "s": nanosPerUnit = 1_000_000_000L; break;
      case "m": nanosPerUnit = 60_000_000_000L; break;
      default: nanosPerUnit = 3_600_000_000_000L; break;
    }
    if (amount > Long.MAX_VALUE / nanosPerUnit) {
      throw new TypeConversionException("'" + text + "' is too long a duration");
    }
    return amount * nanosPerUnit;
  }

  static final class Duration implements ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
      return parseDurationNanos(text);
    }
  }

  /** {@code 7000,8000,9000}: 1 to 32 ports, each 1-65535. */
  static final class Sequence implements ITypeConverter<KnockSequence> {
    @Override
    public KnockSequence convert(String text) {
      String[] parts = text.split(",", -1);
      if (parts.length > KnockSequence.MAX_LENGTH) {
        throw new TypeConversionException("'" + text + "' has " + parts.length
            + " ports; a sequence has 1 to " + KnockSequence.MAX_LENGTH);
      }
      int[] ports = new int[parts.length];
      for (int i = 0; i < parts.length; i++) {
        ports[i] = parsePort(parts[i].trim(), text);
      }
      return KnockSequence.of(ports);
    }

    private static int parsePort(String part, String whole) {
      if (!part.matches("\\d{1,5}") || Integer.parseInt(part) < 1 || Integer.parseInt(part) > 65535) {
        throw new TypeConversionException("'" + whole
            + "' is not a sequence of ports; write ports 1-65535 separated by commas, like 7000,8000,9000");
      }
      return Integer.parseInt(part);
    }
  }
}
