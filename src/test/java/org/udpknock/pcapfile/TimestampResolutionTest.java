package org.udpknock.pcapfile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The exact unit-to-nanosecond conversion, checked against BigInteger arithmetic. */
class TimestampResolutionTest {
  private static final BigInteger BILLION = BigInteger.valueOf(1_000_000_000);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  /** Units worth testing: edges of the unsigned range, of the clamp, and random ones. */
  private static long[] interestingUnits() {
    Random random = new Random(20240601);
    long[] units = new long[64];
    long[] fixed = {0, 1, 2, 999, 1000, 1023, 1024, 1_000_000_000L, 1_700_000_000_123_456_789L,
        Long.MAX_VALUE / 1000, Long.MAX_VALUE / 1000 + 1, Long.MAX_VALUE - 1, Long.MAX_VALUE,
        Long.MIN_VALUE, -2, -1};
    System.arraycopy(fixed, 0, units, 0, fixed.length);
    for (int i = fixed.length; i < units.length; i++) {
      units[i] = random.nextLong() >>> random.nextInt(64);
    }
    return units;
  }

  private static BigInteger unsigned(long value) {
    return new BigInteger(Long.toUnsignedString(value));
  }

  private static long clamp(BigInteger nanos) {
    return nanos.min(LONG_MAX).longValueExact();
  }

  @Test
  void decimalResolutionsMatchBigIntegerArithmetic() {
    for (int exponent = 0; exponent <= 127; exponent++) {
      TimestampResolution resolution = TimestampResolution.decimal(exponent);
      BigInteger perSecond = BigInteger.TEN.pow(exponent);
      for (long units : interestingUnits()) {
        long expected = clamp(unsigned(units).multiply(BILLION).divide(perSecond));
        assertEquals(expected, resolution.toNanos(units),
            "10^-" + exponent + " s, units " + Long.toUnsignedString(units));
      }
      assertEquals(Math.min(exponent, 9), resolution.digits);
    }
  }

  @Test
  void binaryResolutionsMatchBigIntegerArithmetic() {
    for (int exponent = 0; exponent <= 127; exponent++) {
      TimestampResolution resolution = TimestampResolution.fromTsresol(0x80 | exponent);
      for (long units : interestingUnits()) {
        long expected = clamp(unsigned(units).multiply(BILLION).shiftRight(exponent));
        assertEquals(expected, resolution.toNanos(units),
            "2^-" + exponent + " s, units " + Long.toUnsignedString(units));
      }
    }
  }

  @Test
  void binaryDigitsAreTheFewestThatTellUnitsApart() {
    assertEquals(0, TimestampResolution.binary(0).digits); // 1 s
    assertEquals(1, TimestampResolution.binary(1).digits); // 0.5 s
    assertEquals(3, TimestampResolution.binary(9).digits); // 1/512 s > 1 ms
    assertEquals(4, TimestampResolution.binary(10).digits); // 1/1024 s < 1 ms
    assertEquals(9, TimestampResolution.binary(29).digits);
    assertEquals(9, TimestampResolution.binary(64).digits); // capped
  }

  @Test
  void tsresolCodeSelectsBaseByItsHighBit() {
    assertEquals(1_000L, TimestampResolution.fromTsresol(6).toNanos(1));
    assertEquals(1L, TimestampResolution.fromTsresol(9).toNanos(1));
    assertEquals(1_953_125L, TimestampResolution.fromTsresol(0x89).toNanos(1)); // 2^-9 s
  }

  @Test
  void clampedArithmetic() {
    assertEquals(Long.MAX_VALUE, TimestampResolution.addClamped(Long.MAX_VALUE - 1, 2));
    assertEquals(Long.MIN_VALUE, TimestampResolution.addClamped(Long.MIN_VALUE + 1, -2));
    assertEquals(-5, TimestampResolution.addClamped(-2, -3));
    assertEquals(-10_000_000_000L, TimestampResolution.secondsToNanosClamped(-10));
    assertEquals(Long.MAX_VALUE, TimestampResolution.secondsToNanosClamped(Long.MAX_VALUE / 10));
    assertEquals(Long.MIN_VALUE, TimestampResolution.secondsToNanosClamped(Long.MIN_VALUE / 10));
  }
}
