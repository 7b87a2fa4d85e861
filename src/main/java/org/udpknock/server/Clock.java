package org.udpknock.server;

import java.time.Instant;

/** Wall-clock time in nanoseconds since the epoch: the same scale as packet timestamps. */
@FunctionalInterface
public interface Clock {
  long nowNanos();

  Clock SYSTEM = () -> {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  };
}
