package org.udpknock.cli;

import org.udpknock.core.KnockSequence;
import picocli.CommandLine.Option;

/** {@code --sequence}, shared by every command that knocks or listens for knocks. */
final class SequenceOption {
  @Option(names = "--sequence", paramLabel = "PORTS", converter = Converters.Sequence.class,
      defaultValue = "12001,12002,12003",
      description = "Ports to knock on, in order (1 to 32 ports). Default: ${DEFAULT-VALUE}.")
  KnockSequence sequence;
}
