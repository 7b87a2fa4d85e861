package org.udpknock.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Command;

/**
 * The benchmarks' CLI, built into target/udpknock-bench.jar beside the product's jar and never
 * shipped in it: run it through {@code udpknock_bench} in scripts/lib/bench.sh.
 */
@Command(name = "udpknock-bench", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
    description = "Tools for the benchmarks in scripts/: flood captures, timed knock rounds, the Redis floor.",
    subcommands = {GenerateFloodCommand.class, KnockRoundsCommand.class, RedisFloorCommand.class})
public final class BenchMain {
  public static void main(String[] args) {
    Main.exit(new BenchMain(), args);
  }

  /** Runs the bench CLI in-process; tests call this with their own writers. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return Main.run(Main.commandLine(new BenchMain()), out, err, args);
  }
}
