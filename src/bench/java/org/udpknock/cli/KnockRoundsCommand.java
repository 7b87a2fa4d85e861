package org.udpknock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.udpknock.client.LatencyRounds;
import org.udpknock.client.LatencySummary;
import org.udpknock.client.WitnessFile;

/**
 * The benchmarks' knock (scripts/bench-latency and others): the product's knock client, timed
 * over rounds, each from its own source address. It has the options of {@code udpknock knock}
 * and its own.
 */
final class KnockRoundsCommand extends KnockCommand {
  static final Specs.Usage USAGE = new Specs.Usage("knock",
      "Time knock rounds on HOST: from the last knock sent to the greeting (or to a witness line).",
      "", "Exit codes: 0 every round answered, 1 a round had no answer or a network error, 2 bad usage.");

  String latencyReport;
  int rounds;
  int warmupRounds;
  long maxPauseNanos;
  String witnessFile;

  KnockRoundsCommand() {
    super(USAGE);
    spec.addOption(Specs.option(String.class, value -> latencyReport = value, "--latency-report")
        .paramLabel("FILE|-").required(true)
        .description("Write one line per round and a summary to FILE or stdout (-).").build());
    spec.addOption(Specs.option(int.class, value -> rounds = value, "--rounds").paramLabel("N").defaultValue("1")
        .description("Rounds to time, each from the next source address after --source.").build());
    spec.addOption(Specs.option(int.class, value -> warmupRounds = value, "--warmup-rounds").paramLabel("N")
        .defaultValue("0").description("Rounds run first and not reported.").build());
    spec.addOption(Specs.option(long.class, value -> maxPauseNanos = value, "--max-pause").paramLabel("DURATION")
        .converters(new Converters.Duration()).defaultValue("0ms")
        .description("Before each round, pause a random time below DURATION (fixed seed).").build());
    spec.addOption(Specs.option(String.class, value -> witnessFile = value, "--witness-file").paramLabel("FILE")
        .description("Do not connect: time each round to the 'ADDRESS EPOCH_NANOS' line appended to FILE.").build());
  }

  /** Runs the rounds, writes the report, fails when a round had no answer. */
  @Override
  public Integer call() throws IOException, InterruptedException {
    int port = servicePort.validated();
    if (secretFile != null) {
      throw new UserError(ExitCodes.USAGE, "--latency-report times plain knocks only; drop --secret-file");
    }
    Inet4Address first = firstSource();
    LatencyRounds.Answer answer = witnessFile == null ? LatencyRounds.greeting(port)
        : LatencyRounds.witness(new WitnessFile(Path.of(witnessFile)), witnessFile);
    LatencyRounds timer = new LatencyRounds(resolve(host, "host"), first,
        sequence.sequence, delayNanos, answer, connectTimeoutNanos, maxPauseNanos);
    List<LatencyRounds.Round> measured;
    try {
      measured = timer.run(warmupRounds, rounds);
    } catch (IOException e) {
      throw new UserError(ExitCodes.FAILURE, "could not send the knocks to " + host + ": "
          + e.getMessage() + "; check the address and --source.");
    }
    long[] latencies = measured.stream().filter(round -> round.latencyNanos().isPresent())
        .mapToLong(round -> round.latencyNanos().getAsLong()).toArray();
    writeReport(answer, measured, latencies);
    int missed = measured.size() - latencies.length;
    if (measured.size() < rounds || missed > 0) {
      throw new UserError(ExitCodes.FAILURE, (rounds - latencies.length) + " of " + rounds
          + " rounds had no answer within " + connectTimeoutNanos / 1_000_000 + " ms"
          + (measured.size() < rounds ? " (stopped after " + LatencyRounds.MAX_MISSED + " misses)" : "")
          + "; check that the server runs and sniffs the interface the knocks arrive on");
    }
    return ExitCodes.OK;
  }

  /** The first round's source, checked: IPv4, with room for every round after it. */
  private Inet4Address firstSource() {
    if (rounds < 1 || warmupRounds < 0) {
      throw new UserError(ExitCodes.USAGE, "--rounds must be 1 or more and --warmup-rounds 0 or more, not "
          + rounds + " and " + warmupRounds);
    }
    InetAddress first = source == null ? null : resolve(source, "--source address");
    if (!(first instanceof Inet4Address)) {
      throw new UserError(ExitCodes.USAGE, "--latency-report needs --source with an IPv4 address, e.g."
          + " 127.1.0.1: each round knocks from the next address, so it waits for its own grant");
    }
    try {
      LatencyRounds.nthAddress((Inet4Address) first, warmupRounds + rounds - 1);
    } catch (IllegalArgumentException e) {
      throw new UserError(ExitCodes.USAGE, "--source " + source + " leaves no room for "
          + (warmupRounds + rounds) + " rounds (" + e.getMessage() + "); start lower");
    }
    if (witnessFile == null && noConnect) {
      throw new UserError(ExitCodes.USAGE, "--latency-report with --no-connect times nothing;"
          + " drop --no-connect, or give --witness-file");
    }
    return (Inet4Address) first;
  }

  private void writeReport(LatencyRounds.Answer answer, List<LatencyRounds.Round> measured, long[] latencies)
      throws IOException {
    boolean toStdout = latencyReport.equals("-");
    PrintWriter out = toStdout ? spec.commandLine().getOut()
        : new PrintWriter(Files.newBufferedWriter(Path.of(latencyReport), StandardCharsets.UTF_8));
    try {
      out.println("# udpknock knock rounds: nanoseconds from the last knock datagram sent to the "
          + answer.describe());
      out.println("# host " + host + " sequence " + sequence.sequence + " warm-up rounds " + warmupRounds
          + " (not listed), random pause before each round below " + maxPauseNanos / 1_000 + " us,"
          + " one source address per round; '-' is no answer");
      out.println("round source latency_ns");
      for (LatencyRounds.Round round : measured) {
        out.println(round.number() + " " + round.source().getHostAddress() + " "
            + (round.latencyNanos().isPresent() ? String.valueOf(round.latencyNanos().getAsLong()) : "-"));
      }
      StringBuilder summary = new StringBuilder("summary rounds=").append(rounds)
          .append(" answered=").append(latencies.length)
          .append(" missed=").append(rounds - latencies.length);
      if (latencies.length > 0) {
        LatencySummary stats = new LatencySummary(latencies);
        summary.append(" min_ns=").append(stats.min())
            .append(" p50_ns=").append(stats.percentile(50))
            .append(" p99_ns=").append(stats.percentile(99))
            .append(" max_ns=").append(stats.max());
      }
      out.println(summary);
    } finally {
      if (toStdout) {
        out.flush();
      } else {
        out.close();
      }
    }
  }

}
