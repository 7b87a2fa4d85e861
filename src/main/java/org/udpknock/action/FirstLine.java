package org.udpknock.action;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The first line of a command's output as events show it: at most {@link #MAX_CHARS} characters,
 * with backslashes, quotes and control characters escaped ({@code \x1b}, {@code \u202e}), so a
 * command's output can neither forge a log line nor hide text on a terminal.
 */
public final class FirstLine {
  public static final int MAX_CHARS = 200;
  /** UTF-8 takes at most 4 bytes a character: reading this much is enough for MAX_CHARS. */
  private static final int MAX_BYTES = 4 * MAX_CHARS + 4;

  private FirstLine() {}

  /** The first line of {@code file}, escaped; empty when the file is empty or unreadable. */
  public static String of(Path file) {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(MAX_BYTES);
    } catch (IOException e) {
      return "";
    }
    return escape(firstLine(decode(head)));
  }

  private static String decode(byte[] bytes) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    try {
      return decoder.decode(ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return ""; // REPLACE never throws.
    }
  }

  private static String firstLine(String text) {
    int end = text.indexOf('\n');
    String line = end < 0 ? text : text.substring(0, end);
    if (line.endsWith("\r")) {
      line = line.substring(0, line.length() - 1);
    }
    int chars = line.codePointCount(0, line.length());
    return chars <= MAX_CHARS ? line : line.substring(0, line.offsetByCodePoints(0, MAX_CHARS));
  }

  /** {@code text} with {@code \}, {@code "} and every control or format character escaped. */
  public static String escape(String text) {
    StringBuilder escaped = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' || c == '"') {
        escaped.append('\\').append(c);
      } else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
        escaped.append(String.format("\\x%02x", (int) c));
      } else if (isInvisible(c)) {
        escaped.append(String.format("\\u%04x", (int) c));
      } else {
        escaped.append(c);
      }
    }
    return escaped.toString();
  }

  /** Bidirectional overrides, zero-width characters, line and paragraph separators. */
  private static boolean isInvisible(char c) {
    int type = Character.getType(c);
    return type == Character.FORMAT || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }
}
