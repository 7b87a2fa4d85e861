package org.udpknock.cli;

import java.util.function.Function;
import org.udpknock.config.Durations;
import org.udpknock.config.MetricsAddress;
import org.udpknock.config.Sizes;
import org.udpknock.core.KnockSequence;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parsers for option values; their messages name the bad value. */
final class Converters {
  private Converters() {}

  /** Parses {@code 5s}, {@code 500ms}, {@code 2m}, {@code 1h}, {@code 250us}, {@code 10ns}; a bare number is seconds. */
  static long parseDurationNanos(String text) {
    return converted(Durations::parseNanos, text);
  }

  /** What {@code parse} makes of {@code text}; its refusal (an IllegalArgumentException) as picocli's. */
  private static <T> T converted(Function<String, T> parse, String text) {
    try {
      return parse.apply(text);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  static final class Duration implements ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
      return parseDurationNanos(text);
    }
  }

  /** {@code 8m}, {@code 16MB}: a capture ring's size, 1m to 1024m. */
  static final class CaptureBuffer implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
      return converted(Sizes::captureBufferBytes, text);
    }
  }

  /** {@code 127.0.0.1:9741}, {@code [::1]:9741}, {@code 9741} (loopback's): where metrics are served. */
  static final class Metrics implements ITypeConverter<MetricsAddress> {
    @Override
    public MetricsAddress convert(String text) {
      return converted(MetricsAddress::parse, text);
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
