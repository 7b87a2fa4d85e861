package org.udpknock.server;

import java.util.Optional;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ScanGuard;

/**
 * The warning the server logs at start when a port sweep can complete its sequence despite the
 * scan guard: the guard sees a sweep only when it touches a guard port before the last knock.
 * Also when the sequence is one port repeated: any that many datagrams to that port complete it.
 */
final class SweepWarning {
  private SweepWarning() {}

  static Optional<String> of(KnockSequence sequence) {
    if (isOnePortRepeated(sequence)) {
      return Optional.of("the sequence " + sequence + " is one port repeated, so any "
          + sequence.length() + " datagrams to port " + sequence.firstPort() + " complete it (a scanner"
          + " that retries, any traffic to that port); choose ports far apart and out of order, e.g."
          + " --sequence " + example(sequence) + ".");
    }
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

  private static boolean isOnePortRepeated(KnockSequence sequence) {
    for (int i = 1; i < sequence.length(); i++) {
      if (sequence.port(i) != sequence.firstPort()) {
        return false;
      }
    }
    return sequence.length() > 1;
  }

  /** Three ports far apart, out of order, near the given ones so they stay in the same range. */
  private static String example(KnockSequence sequence) {
    int base = Math.max(1000, Math.min(sequence.lowestPort(), 60_000));
    return (base + 3_217) + "," + (base + 911) + "," + (base + 5_483);
  }
}
