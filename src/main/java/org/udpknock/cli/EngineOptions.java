package org.udpknock.cli;

import org.udpknock.core.KnockSequence;
import org.udpknock.core.ScanGuard;
import picocli.CommandLine.Model.CommandSpec;

/** The knock rules' options, shared by {@code replay} and {@code server}. */
final class EngineOptions {
  static final int MAX_SOURCES_LIMIT = 50_000_000;

  final SequenceOption sequenceOption;
  long sequenceTimeoutNanos;
  int maxSources;
  Integer scanGuard;

  EngineOptions(CommandSpec spec) {
    sequenceOption = new SequenceOption(spec);
    spec.addOption(Specs.option(long.class, value -> sequenceTimeoutNanos = value, "--seq-timeout")
        .paramLabel("DURATION").converters(new Converters.Duration()).defaultValue("5s")
        .description("Most time from the first knock to the last, e.g. 5s, 500ms, 2m. Default: 5s.").build());
    spec.addOption(Specs.option(int.class, value -> maxSources = value, "--max-sources").paramLabel("N")
        .defaultValue("1000000")
        .description("Most attempts tracked at once; beyond, the oldest first knock is evicted (an attempt"
            + " past its first knock only when none is left). Must fit the heap. Default: ${DEFAULT-VALUE}.")
        .build());
    spec.addOption(Specs.option(Integer.class, value -> scanGuard = value, "--scan-guard").paramLabel("N")
        .description("Ports within N of the lowest or highest sequence port (and not in it) are guard ports:"
            + " a datagram to one drops the source's attempt (and, for sequences a sweep could"
            + " complete, blocks it for the sequence timeout), so a port sweep cannot knock. 0 turns the guard off. Default: " + ScanGuard.DEFAULT_DISTANCE
            + ", or 0 with --secret-file.").build());
  }

  KnockSequence sequence() {
    return sequenceOption.sequence;
  }

  /** Checks what the converters cannot; throws a {@link UserError} naming the bad value. */
  void validate() {
    if (sequenceTimeoutNanos <= 0) {
      throw new UserError(ExitCodes.USAGE, "--seq-timeout must be longer than 0.");
    }
    if (maxSources < 1 || maxSources > MAX_SOURCES_LIMIT) {
      throw new UserError(ExitCodes.USAGE, "--max-sources must be between 1 and "
          + MAX_SOURCES_LIMIT + ", not " + maxSources + ".");
    }
    if (scanGuard != null && (scanGuard < 0 || scanGuard > ScanGuard.MAX_DISTANCE)) {
      throw new UserError(ExitCodes.USAGE, "--scan-guard must be between 0 (off) and "
          + ScanGuard.MAX_DISTANCE + " ports, not " + scanGuard + ".");
    }
  }

  /**
   * The guard distance asked for, or the default of the mode: on in plain mode, off in
   * authenticated mode, where a sweep carries no valid tag and so cannot knock anyway, while a
   * guard would let anyone who spoofs a client's address block it by hitting a guard port.
   */
  int scanGuardDistance(boolean authenticated) {
    if (scanGuard != null) {
      return scanGuard;
    }
    return authenticated ? 0 : ScanGuard.DEFAULT_DISTANCE;
  }

  ScanGuard guard(boolean authenticated) {
    return ScanGuard.of(sequence(), scanGuardDistance(authenticated));
  }
}
