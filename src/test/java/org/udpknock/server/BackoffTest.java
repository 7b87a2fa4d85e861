package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void doublesFromAHundredMillisecondsUpToFiveSecondsAndStaysThere() {
    Backoff backoff = Backoff.standard();
    long[] delays = new long[9];
    for (int i = 0; i < delays.length; i++) {
      delays[i] = backoff.nextDelayMillis();
    }
    assertArrayEquals(new long[] {100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000}, delays);
  }

  @Test
  void aSuccessStartsTheScheduleOver() {
    Backoff backoff = Backoff.standard();
    backoff.nextDelayMillis();
    backoff.nextDelayMillis();
    backoff.reset();
    assertEquals(100, backoff.nextDelayMillis());
  }

  @Test
  void aZeroDelayWouldBeATightLoopAndIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 5000));
    assertThrows(IllegalArgumentException.class, () -> new Backoff(100, 50));
  }
}
