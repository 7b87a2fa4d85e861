package org.udpknock.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.udpknock.bench.FloodCapture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** For the benchmarks in scripts/: writes a flood capture and FILE.expected beside it. */
@Command(name = "generate-flood", mixinStandardHelpOptions = true,
    description = "Write a flood capture for the benchmarks (noise sources with valid sequences hidden in it).")
final class GenerateFloodCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin SequenceOption sequence = new SequenceOption();

  @Option(names = "--sources", defaultValue = "10000", description = "Distinct noise sources.")
  int sources;

  @Option(names = "--valid", defaultValue = "1000", description = "Valid sequences hidden in the noise.")
  int valid;

  @Option(names = "--noise-packets", defaultValue = "200000", description = "Noise packets.")
  long noisePackets;

  @Option(names = "--rate", defaultValue = "50000", description = "Packets per second, for timestamps.")
  long rate;

  @Option(names = "--first-knocks-only",
      description = "Noise is first knocks only, from sources taken in turn (each source once if packets <= sources).")
  boolean firstKnocksOnly;

  @Option(names = "--valid-around-noise",
      description = "Valid sources send all their knocks but the last before the noise, and the last after it.")
  boolean validAroundNoise;

  @Option(names = "--seed", defaultValue = "1")
  long seed;

  @Parameters(paramLabel = "FILE", description = "The pcap file to write.")
  Path file;

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
