package org.udpknock.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.udpknock.bench.FloodCapture;
import picocli.CommandLine.Model.CommandSpec;

/** For the benchmarks in scripts/: writes a flood capture and FILE.expected beside it. */
final class GenerateFloodCommand implements Callable<Integer> {
  static final Specs.Usage USAGE = new Specs.Usage("generate-flood",
      "Write a flood capture for the benchmarks (noise sources with valid sequences hidden in it).");

  final CommandSpec spec = Specs.command(this, USAGE);
  final SequenceOption sequence = new SequenceOption(spec);
  int sources;
  int valid;
  long noisePackets;
  long rate;
  boolean firstKnocksOnly;
  boolean validAroundNoise;
  long seed;
  Path file;

  GenerateFloodCommand() {
    spec.addOption(Specs.option(int.class, value -> sources = value, "--sources").defaultValue("10000")
        .description("Distinct noise sources.").build());
    spec.addOption(Specs.option(int.class, value -> valid = value, "--valid").defaultValue("1000")
        .description("Valid sequences hidden in the noise.").build());
    spec.addOption(Specs.option(long.class, value -> noisePackets = value, "--noise-packets").defaultValue("200000")
        .description("Noise packets.").build());
    spec.addOption(Specs.option(long.class, value -> rate = value, "--rate").defaultValue("50000")
        .description("Packets per second, for timestamps.").build());
    spec.addOption(Specs.flag(value -> firstKnocksOnly = value, "--first-knocks-only")
        .description("Noise is first knocks only, from sources taken in turn (each source once if packets <= sources).")
        .build());
    spec.addOption(Specs.flag(value -> validAroundNoise = value, "--valid-around-noise")
        .description("Valid sources send all their knocks but the last before the noise, and the last after it.")
        .build());
    spec.addOption(Specs.option(long.class, value -> seed = value, "--seed").defaultValue("1").build());
    spec.addPositional(Specs.parameter(Path.class, value -> file = value, "0", "1").paramLabel("FILE")
        .description("The pcap file to write.").build());
  }

  @Override
  public Integer call() throws Exception {
    if (rate < 1 || noisePackets < 0) {
      throw new UserError(ExitCodes.USAGE, "--rate must be at least 1 and --noise-packets at least 0.");
    }
    FloodCapture.Expected expected;
    try {
      expected = new FloodCapture(sequence.sequence, sources, valid, noisePackets, rate,
          firstKnocksOnly ? FloodCapture.Noise.FIRST_KNOCKS : FloodCapture.Noise.RANDOM_PORTS,
          validAroundNoise ? FloodCapture.Valid.AROUND_NOISE : FloodCapture.Valid.SPREAD, seed)
          .write(file);
    } catch (IllegalArgumentException e) {
      throw new UserError(ExitCodes.USAGE, e.getMessage());
    }
    spec.commandLine().getOut().println("wrote " + file + ": " + expected.packets() + " packets, "
        + expected.validSequences() + " valid sequences (model grants " + expected.validGranted()
        + "), model grants to noise sources: " + expected.noiseGrants());
    return ExitCodes.OK;
  }
}
