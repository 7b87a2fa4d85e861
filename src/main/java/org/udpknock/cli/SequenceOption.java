package org.udpknock.cli;

import org.udpknock.core.KnockSequence;
import picocli.CommandLine.Model.CommandSpec;

/** {@code --sequence}, shared by every command that knocks or listens for knocks. */
final class SequenceOption {
  KnockSequence sequence;

  SequenceOption(CommandSpec spec) {
    spec.addOption(Specs.option(KnockSequence.class, value -> sequence = value, "--sequence")
        .paramLabel("PORTS").converters(new Converters.Sequence()).defaultValue("12001,12002,12003")
        .description("Ports to knock on, in order (1 to 32 ports). Default: ${DEFAULT-VALUE}.").build());
  }
}
