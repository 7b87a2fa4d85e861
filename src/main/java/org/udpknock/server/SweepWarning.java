package org.udpknock.server;

import java.util.Optional;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ScanGuard;

/**
 * The warning the server logs at start when a port sweep can complete its sequence despite the
 * scan guard: the guard sees a sweep only when it touches a guard port before the last knock.
 */
final class SweepWarning {
  private SweepWarning() {}

  static Optional<String> of(KnockSequence sequence) {
    if (!ScanGuard.sweepCompletes(sequence)) {
      return Optional.empty();
    }
    String what = sequence.length() == 1
        ? "the one-port sequence " + sequence + " is completed by any sweep that touches port " + sequence
        : "the sequence " + sequence + " is contiguous, so a port sweep that starts on " + sequence.firstPort()
            + " completes it before it touches a guard port";
    return Optional.of(what + "; choose ports far apart and out of order, e.g. --sequence "
        + example(sequence) + ".");
  }

  /** Three ports far apart, out of order, near the given ones so they stay in the same range. */
  private static String example(KnockSequence sequence) {
    int base = Math.max(1000, Math.min(sequence.lowestPort(), 60_000));
    return (base + 3_217) + "," + (base + 911) + "," + (base + 5_483);
  }
}
