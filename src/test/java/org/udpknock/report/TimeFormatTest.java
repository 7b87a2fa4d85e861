package org.udpknock.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimeFormatTest {
  private static final DateTimeFormatter NINE_DIGITS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

  @Test
  void showsTheCapturesDigitsOrAllNineWhenTheTimeHasMore() {
    assertEquals("2026-11-24T17:00:00.123456Z", TimeFormat.format(1795539600_123456000L, 6));
    assertEquals("2026-11-24T17:00:00.123456789Z", TimeFormat.format(1795539600_123456789L, 6));
    assertEquals("2026-11-24T17:00:00Z", TimeFormat.format(1795539600_000000000L, 0));
    assertEquals("1969-12-31T23:59:59.999999Z", TimeFormat.format(-1000L, 6));
  }

  /**
   * The date of each second is cached: times that go back and forth between seconds, across
   * days and before 1970, must each get their own, as an Instant would print them.
   */
  @Test
  void everyTimeMatchesTheInstantItIsEvenWhenSecondsAlternate() {
    SplittableRandom random = new SplittableRandom(11);
    long base = 1795539600_000000000L;
    for (int i = 0; i < 20_000; i++) {
      long time = switch (i % 4) {
        case 0 -> base + random.nextLong(3_000_000_000L); // a few seconds, back and forth
        case 1 -> random.nextLong(-4_000_000_000_000_000_000L, 4_000_000_000_000_000_000L);
        case 2 -> base + 86_400_000_000_000L * random.nextInt(-3, 3) - 1;
        default -> -random.nextLong(2_000_000_000L);
      };
      Instant instant = Instant.ofEpochSecond(Math.floorDiv(time, 1_000_000_000L), Math.floorMod(time, 1_000_000_000L));
      assertEquals(NINE_DIGITS.format(instant), TimeFormat.format(time, 9), "at " + time);
    }
  }
}
