package org.udpknock.report;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.function.IntFunction;
import org.udpknock.core.Addresses;

/**
 * One event line, built in a char array and handed to the writer in one call, with its line
 * separator. Why not strings: a line of {@code TIME granted DOOR SOURCE} was a time string, an
 * address string and a concatenation of both, which {@link PrintWriter#println(String)} then
 * copied again into its buffer. By hand, 1 M grant lines into a null stream, once compiled: 125 ns
 * a line before, 62 ns with this, where the writer alone takes 29 ns. A replay of a flood writes
 * half a million such lines, mostly before C2 has compiled that chain, so that the shorter code
 * counts as much as the copies.
 *
 * <p>Why its own digits rather than a reused {@link StringBuilder} (whose {@code append(int)} the
 * JDK provides), with {@code Addresses} and {@code TimeFormat} appending into it: tried, the
 * harness above took 84-116 ns a line against 67, and the bench capture's replay 1.19-1.35 s
 * (median 1.31) against 1.20-1.29 s (median 1.24), slower in 7 of 8 alternated pairs, with 0.15 s
 * more CPU. The IPv4 octets are written here as {@code Addresses.format} writes them; the test
 * holds the two to the same text.
 */
final class LineBuffer {
  private static final String SEPARATOR = System.lineSeparator();
  private char[] chars;
  private int length;

  /** Room for an event line: most are under 96 characters. */
  LineBuffer() {
    this(96);
  }

  LineBuffer(int capacity) {
    chars = new char[capacity];
  }

  /** Empties the line, keeping its array. */
  LineBuffer clear() {
    length = 0;
    return this;
  }

  LineBuffer append(char c) {
    ensureRoom(1);
    chars[length++] = c;
    return this;
  }

  /** Appends {@code text}, or {@code null} for none, as {@link StringBuilder#append(String)} does. */
  LineBuffer append(String text) {
    text = String.valueOf(text);
    ensureRoom(text.length());
    text.getChars(0, text.length(), chars, length);
    length += text.length();
    return this;
  }

  /** Appends {@code value} in decimal, as {@link Integer#toString(int)} prints it. */
  LineBuffer append(int value) {
    if (value < 0) {
      if (value == Integer.MIN_VALUE) {
        return append(Integer.toString(value));
      }
      append('-');
      value = -value;
    }
    int digits = 1;
    for (int rest = value / 10; rest != 0; rest /= 10) {
      digits++;
    }
    return appendPadded(value, digits);
  }

  /** Appends the last {@code width} decimal digits of {@code value} (at least 0), zero-padded on the left. */
  LineBuffer appendPadded(int value, int width) {
    ensureRoom(width);
    // Right to left, dividing by the constant 10 (a multiplication once compiled), not by a
    // power of ten per digit: a division by a variable costs tens of cycles.
    for (int i = length + width - 1; i >= length; i--, value /= 10) {
      chars[i] = (char) ('0' + value % 10);
    }
    length += width;
    return this;
  }

  /** Appends an address key as {@link Addresses#format(long, long, IntFunction)} prints it. */
  LineBuffer appendAddress(long hi, long lo, IntFunction<String> scopeNames) {
    if (!Addresses.isIpv4(hi, lo)) {
      return append(Addresses.format(hi, lo, scopeNames));
    }
    int address = (int) lo;
    return append(address >>> 24).append('.').append((address >>> 16) & 0xFF).append('.')
        .append((address >>> 8) & 0xFF).append('.').append(address & 0xFF);
  }

  /** Writes the line and its separator in one call, so that lines from several threads never interleave. */
  void writeLineTo(PrintWriter out) {
    append(SEPARATOR);
    out.write(chars, 0, length);
  }

  @Override
  public String toString() {
    return new String(chars, 0, length);
  }

  private void ensureRoom(int more) {
    if (length + more > chars.length) {
      chars = Arrays.copyOf(chars, Math.max(2 * chars.length, length + more));
    }
  }
}
