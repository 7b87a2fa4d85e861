package org.udpknock.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.udpknock.core.Addresses;

class LineBufferTest {
  private static final IntFunction<String> NUMBERS = Integer::toString;

  @Test
  void numbersPrintAsIntegerToStringPrintsThem() {
    int[] edges = {0, 1, 9, 10, 99, 100, -1, -10, 1_000_000_000, Integer.MAX_VALUE, Integer.MIN_VALUE};
    for (int value : edges) {
      assertEquals(Integer.toString(value), new LineBuffer().append(value).toString());
    }
    SplittableRandom random = new SplittableRandom(5);
    for (int i = 0; i < 10_000; i++) {
      int value = random.nextInt();
      assertEquals(Integer.toString(value), new LineBuffer().append(value).toString());
    }
  }

  @Test
  void paddedNumbersKeepTheirLastDigitsAndLeadingZeros() {
    assertEquals("000500", new LineBuffer().appendPadded(500, 6).toString());
    assertEquals("123456789", new LineBuffer().appendPadded(123_456_789, 9).toString());
    assertEquals("89", new LineBuffer().appendPadded(123_456_789, 2).toString());
    assertEquals("", new LineBuffer().appendPadded(7, 0).toString());
  }

  /** IPv4 keys take the buffer's own digits; every other kind goes through Addresses. */
  @Test
  void addressesPrintAsAddressesFormatPrintsThem() {
    SplittableRandom random = new SplittableRandom(7);
    long[][] keys = {
      {0, Addresses.ipv4Lo(0)}, {0, Addresses.ipv4Lo(-1)}, {0, Addresses.ipv4Lo(0x7F000001)},
      {0, 1}, {0x20010DB8_00000000L, 1}, {Addresses.scopedHi(Addresses.LINK_LOCAL_HI, 3), 0x1234},
    };
    for (long[] key : keys) {
      assertAddress(key[0], key[1]);
    }
    for (int i = 0; i < 10_000; i++) {
      assertAddress(0, Addresses.ipv4Lo(random.nextInt()));
      assertAddress(random.nextLong(), random.nextLong());
    }
  }

  @Test
  void nullPrintsAsNullAndLongLinesGrow() {
    String word = "x".repeat(1000);
    assertEquals("null " + word, new LineBuffer().append((String) null).append(' ').append(word).toString());
  }

  /** The line goes out in one write, with the separator; the buffer can then start the next one. */
  @Test
  void aLineIsWrittenWholeWithItsSeparatorAndTheBufferIsReusable() {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text);
    LineBuffer line = new LineBuffer().append("first");
    line.writeLineTo(out);
    line.clear().append("second").writeLineTo(out);
    out.flush();
    assertEquals("first" + System.lineSeparator() + "second" + System.lineSeparator(), text.toString());
  }

  private static void assertAddress(long hi, long lo) {
    assertEquals(Addresses.format(hi, lo, NUMBERS), new LineBuffer().appendAddress(hi, lo, NUMBERS).toString());
  }
}
