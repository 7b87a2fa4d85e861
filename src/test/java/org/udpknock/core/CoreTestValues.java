package org.udpknock.core;

import java.util.Random;
import java.util.stream.LongStream;

/**
 * What the core's timing tests share: time units, three IPv4 sources, and the base times every
 * timing test runs at. The core must only ever compare packet timestamps, never assume where
 * they start, so each test runs at zero, negative, both ends of the long range, and random.
 */
final class CoreTestValues {
  static final long MS = 1_000_000L;
  static final long SECOND = 1_000 * MS;
  /** The default sequence timeout. */
  static final long TIMEOUT = 5 * SECOND;

  static final long A = Addresses.ipv4Lo(0x7F000001); // 127.0.0.1
  static final long B = Addresses.ipv4Lo(0x7F000002); // 127.0.0.2
  static final long C = Addresses.ipv4Lo(0x7F000003); // 127.0.0.3

  private CoreTestValues() {}

  /** For {@code @MethodSource("org.udpknock.core.CoreTestValues#baseTimes")}. */
  static LongStream baseTimes() {
    return LongStream.of(0, -7 * SECOND, Long.MAX_VALUE - 100 * SECOND, Long.MIN_VALUE + 100 * SECOND,
        1_764_000_000_123_456_789L, new Random(42).nextLong() / 2);
  }
}
