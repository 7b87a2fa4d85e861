package org.udpknock.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes in bytes as the command line and the config file write them: {@code 8m}, {@code 512k}, {@code 1g}. */
public final class Sizes {
  private Sizes() {}

  private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*(?:(k|m|g)(?:i?b)?)?");
  private static final long MB = 1L << 20;

  /**
   * Parses {@code 512k}, {@code 8m}, {@code 8MB}, {@code 8MiB}, {@code 1g} (powers of 1024); a bare
   * number is megabytes.
   *
   * @throws IllegalArgumentException naming the text, when it is not a size
   */
  public static long parseBytes(String text) {
    Matcher match = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!match.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a size; write it like 8m, 16MB or 512k");
    }
    long amount = Long.parseLong(match.group(1));
    String unit = match.group(2) == null ? "m" : match.group(2);
    int shift = switch (unit) {
      case "k" -> 10;
      case "m" -> 20;
      default -> 30;
    };
    return amount << shift; // At most 10 digits: no overflow.
  }

  /**
   * The capture ring's size from {@code text}, {@link Config#MIN_CAPTURE_BUFFER_BYTES} to {@link
   * Config#MAX_CAPTURE_BUFFER_BYTES}: the kernel buffer that holds packets the capture thread has
   * not read yet.
   *
   * @throws IllegalArgumentException in one sentence naming the text and the bounds
   */
  public static int captureBufferBytes(String text) {
    long bytes = parseBytes(text);
    if (bytes < Config.MIN_CAPTURE_BUFFER_BYTES || bytes > Config.MAX_CAPTURE_BUFFER_BYTES) {
      throw new IllegalArgumentException("'" + text + "' is not a capture buffer size from "
          + Config.MIN_CAPTURE_BUFFER_BYTES / MB + "m to " + Config.MAX_CAPTURE_BUFFER_BYTES / MB + "m");
    }
    return (int) bytes;
  }
}
