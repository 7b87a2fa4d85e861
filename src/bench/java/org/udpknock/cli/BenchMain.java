package org.udpknock.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * The benchmarks' CLI, built into target/udpknock-bench.jar beside the product's jar and never
 * shipped in it: run it through {@code udpknock_bench} in scripts/lib/bench.sh.
 */
public final class BenchMain {
  static final Specs.Usage USAGE = new Specs.Usage("udpknock-bench",
      "Tools for the benchmarks in scripts/: flood captures, timed knock rounds, the Redis floor.");

  public static void main(String[] args) {
    Main.exit(commandLine(), args);
  }

  /** Runs the bench CLI in-process; tests call this with their own writers. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return Main.run(commandLine(), out, err, args);
  }

  private static CommandLine commandLine() {
    CommandLine cli = new CommandLine(Specs.withHelp(Specs.command(new BenchMain(), USAGE)));
    cli.addSubcommand(new CommandLine(Specs.withHelp(new GenerateFloodCommand().spec)));
    cli.addSubcommand(new CommandLine(Specs.withHelp(new KnockRoundsCommand().spec)));
    cli.addSubcommand(new CommandLine(new RedisFloorCommand()));
    return Main.handled(cli);
  }
}
