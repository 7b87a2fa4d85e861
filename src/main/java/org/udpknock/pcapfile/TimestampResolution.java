package org.udpknock.pcapfile;

/**
 * The unit of a pcapng interface's timestamps (option {@code if_tsresol}), and the exact
 * conversion of a count of such units into nanoseconds. No floating point: a double has 53 bits,
 * too few for nanoseconds since 1970 (about 61 bits).
 *
 * <p>Counts are unsigned 64-bit. A time beyond {@code Long.MAX_VALUE} nanoseconds (the year 2262)
 * is clamped to {@code Long.MAX_VALUE} rather than reported: one odd timestamp must not stop a
 * replay.
 */
final class TimestampResolution {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  /** 10^0 .. 10^19; 10^19 does not fit in a signed long and is meant as unsigned. */
  private static final long[] POWERS_OF_TEN = powersOfTen(20);

  /** The pcapng default when an interface has no if_tsresol option. */
  static final TimestampResolution MICROSECONDS = decimal(6);

  private enum Kind { MULTIPLY, DIVIDE, BINARY, ALWAYS_ZERO }

  private final Kind kind;
  /** MULTIPLY: nanoseconds per unit; DIVIDE: units per nanosecond (unsigned). */
  private final long factor;
  /** BINARY: a unit is 2^-shift seconds. */
  private final int shift;
  /** Decimal digits of fraction a unit needs, capped at 9 (see {@link Frame#timeDigits}). */
  final int digits;

  private TimestampResolution(Kind kind, long factor, int shift, int digits) {
    this.kind = kind;
    this.factor = factor;
    this.shift = shift;
    this.digits = digits;
  }

  /** Decodes the one-byte value of if_tsresol: MSB clear means 10^-n seconds, set means 2^-n. */
  static TimestampResolution fromTsresol(int value) {
    int exponent = value & 0x7F;
    return (value & 0x80) == 0 ? decimal(exponent) : binary(exponent);
  }

  /** A unit of 10^-exponent seconds, 0 <= exponent <= 127. */
  static TimestampResolution decimal(int exponent) {
    int digits = Math.min(exponent, 9);
    if (exponent <= 9) {
      return new TimestampResolution(Kind.MULTIPLY, POWERS_OF_TEN[9 - exponent], 0, digits);
    }
    if (exponent - 9 < POWERS_OF_TEN.length) {
      return new TimestampResolution(Kind.DIVIDE, POWERS_OF_TEN[exponent - 9], 0, digits);
    }
    // A unit below 10^-28 s: every unsigned 64-bit count is less than one nanosecond.
    return new TimestampResolution(Kind.ALWAYS_ZERO, 0, 0, digits);
  }

  /** A unit of 2^-exponent seconds, 0 <= exponent <= 127. */
  static TimestampResolution binary(int exponent) {
    return new TimestampResolution(Kind.BINARY, 0, exponent, digitsForBinary(exponent));
  }

  /** The fewest decimal digits that tell two consecutive units apart (10^d >= 2^n), at most 9. */
  private static int digitsForBinary(int exponent) {
    for (int d = 0; d < 9; d++) {
      if (exponent < 62 && POWERS_OF_TEN[d] >= 1L << exponent) {
        return d;
      }
    }
    return 9;
  }

  /** Converts an unsigned count of units to nanoseconds, rounding down and clamping. */
  long toNanos(long units) {
    switch (kind) {
      case MULTIPLY:
        return multiplyClamped(units, factor);
      case DIVIDE:
        return Long.divideUnsigned(units, factor);
      case BINARY:
        return binaryToNanos(units, shift);
      default:
        return 0;
    }
  }

  /** {@code units * factor} for unsigned units and a positive factor, clamped to Long.MAX_VALUE. */
  private static long multiplyClamped(long units, long factor) {
    if (units < 0) {
      return Long.MAX_VALUE;
    }
    long low = units * factor;
    if (Math.multiplyHigh(units, factor) != 0 || low < 0) {
      return Long.MAX_VALUE;
    }
    return low;
  }

  /** {@code floor(units * 10^9 / 2^shift)} through a 128-bit product, clamped. */
  private static long binaryToNanos(long units, int shift) {
    long high = unsignedMultiplyHigh(units, NANOS_PER_SECOND);
    long low = units * NANOS_PER_SECOND;
    if (shift >= 64) {
      return high >>> (shift - 64); // high < 2^30, since 10^9 < 2^30
    }
    if (shift == 0) {
      return high == 0 && low >= 0 ? low : Long.MAX_VALUE;
    }
    if ((high >>> shift) != 0) {
      return Long.MAX_VALUE;
    }
    long result = (high << (64 - shift)) | (low >>> shift);
    return result >= 0 ? result : Long.MAX_VALUE;
  }

  /** The high 64 bits of the unsigned 128-bit product (Math has this only from Java 18). */
  private static long unsignedMultiplyHigh(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
  }

  /** {@code seconds * 10^9}, clamped to the long range. */
  static long secondsToNanosClamped(long seconds) {
    if (seconds > Long.MAX_VALUE / NANOS_PER_SECOND) {
      return Long.MAX_VALUE;
    }
    if (seconds < Long.MIN_VALUE / NANOS_PER_SECOND) {
      return Long.MIN_VALUE;
    }
    return seconds * NANOS_PER_SECOND;
  }

  /** {@code a + b}, clamped to the long range instead of wrapping. */
  static long addClamped(long a, long b) {
    long sum = a + b;
    if (((a ^ sum) & (b ^ sum)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return sum;
  }

  private static long[] powersOfTen(int count) {
    long[] powers = new long[count];
    powers[0] = 1;
    for (int i = 1; i < count; i++) {
      powers[i] = powers[i - 1] * 10; // wraps at 10^19, which is then right as an unsigned value
    }
    return powers;
  }
}
