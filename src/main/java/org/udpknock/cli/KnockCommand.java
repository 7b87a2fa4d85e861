package org.udpknock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import org.udpknock.auth.AuthPayload;
import org.udpknock.auth.KeyFile;
import org.udpknock.client.KnockClient;
import org.udpknock.client.LatencyRounds;
import org.udpknock.client.LatencySummary;
import org.udpknock.client.WitnessFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "knock", mixinStandardHelpOptions = true,
    description = "Knock on the UDP sequence of HOST, then print the greeting of its service port.",
    footer = {"", "Exit codes: 0 greeted, 1 no greeting in time or a network error, 2 bad usage."})
final class KnockCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "HOST", description = "Name or address (IPv4 or IPv6) of the server.")
  String host;

  @Mixin SequenceOption sequence = new SequenceOption();

  @Mixin ServicePortOption servicePort = new ServicePortOption();

  @Option(names = "--delay", paramLabel = "DURATION", converter = Converters.Duration.class,
      defaultValue = "0ms", description = "Pause between knocks. Default: 0ms.")
  long delayNanos;

  @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = Converters.Duration.class,
      defaultValue = "3s", description = "How long to keep trying the service port. Default: 3s.")
  long connectTimeoutNanos;

  @Option(names = "--source", paramLabel = "ADDRESS",
      description = "Local address to knock and connect from.")
  String source;

  @Option(names = "--no-connect", description = "Only knock; do not connect to the service port.")
  boolean noConnect;

  @Option(names = "--secret-file", paramLabel = "FILE",
      description = "Send authenticated knocks signed with the key in FILE (mode 0600, from 'udpknock keygen'),"
          + " for a server run with the same --secret-file.")
  Path secretFile;

  @Option(names = "--server-id", paramLabel = "NAME",
      description = "With --secret-file: the id of the server knocked, which the knocks' tags cover;"
          + " overrides the key file's 'server-id' line.")
  String serverId;

  // Latency measurement (scripts/bench-latency), hidden from --help.

  @Option(names = "--latency-report", paramLabel = "FILE|-", hidden = true,
      description = "Time knock rounds and write one line per round and a summary to FILE or stdout.")
  String latencyReport;

  @Option(names = "--rounds", paramLabel = "N", defaultValue = "1", hidden = true,
      description = "Rounds to time, each from the next source address after --source.")
  int rounds;

  @Option(names = "--warmup-rounds", paramLabel = "N", defaultValue = "0", hidden = true,
      description = "Rounds run first and not reported.")
  int warmupRounds;

  @Option(names = "--max-pause", paramLabel = "DURATION", converter = Converters.Duration.class,
      defaultValue = "0ms", hidden = true,
      description = "Before each round, pause a random time below DURATION (fixed seed).")
  long maxPauseNanos;

  @Option(names = "--witness-file", paramLabel = "FILE", hidden = true,
      description = "Do not connect: time each round to the 'ADDRESS EPOCH_NANOS' line appended to FILE.")
  String witnessFile;

  @Override
  public Integer call() throws IOException, InterruptedException {
    int port = servicePort.validated();
    if (latencyReport != null && secretFile != null) {
      throw new UserError(ExitCodes.USAGE, "--latency-report times plain knocks only; drop --secret-file");
    }
    if (latencyReport != null) {
      return timeRounds(port);
    }
    if (rounds != 1 || warmupRounds != 0 || witnessFile != null || maxPauseNanos != 0) {
      throw new UserError(ExitCodes.USAGE,
          "--rounds, --warmup-rounds, --max-pause and --witness-file go with --latency-report");
    }
    IntFunction<byte[]> payloads = secretFile == null ? stage -> new byte[0]
        : authenticatedPayloads(AuthOptions.readKey(secretFile, serverId));
    KnockClient client = new KnockClient(resolve(host, "host"),
        source == null ? null : resolve(source, "--source address"));
    try {
      client.knock(sequence.sequence, delayNanos, payloads, () -> 0L);
    } catch (IOException e) {
      throw new UserError(ExitCodes.FAILURE, "could not send the knocks to " + host + ": "
          + e.getMessage() + "; check the address and --source.");
    }
    if (noConnect) {
      return ExitCodes.OK;
    }
    Optional<String> greeting = client.fetchGreeting(port, connectTimeoutNanos);
    if (greeting.isEmpty()) {
      throw new UserError(ExitCodes.FAILURE, "no greeting from " + host + " port " + port
          + " within " + connectTimeoutNanos / 1_000_000 + " ms: the port stayed closed to us;"
          + " check the sequence, that the server runs and sniffs the interface the knocks arrive on");
    }
    spec.commandLine().getOut().println(greeting.get());
    return ExitCodes.OK;
  }

  /** A fresh payload per datagram: its own nonce, the time it is made, its stage. */
  private static IntFunction<byte[]> authenticatedPayloads(KeyFile.Contents key) {
    SecureRandom random = new SecureRandom();
    return stage -> {
      byte[] nonce = new byte[AuthPayload.NONCE_LENGTH];
      random.nextBytes(nonce);
      Instant now = Instant.now();
      long nanos = Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
      return AuthPayload.encode(key.key(), key.serverId(), stage, nanos, nonce);
    };
  }

  /** Latency mode: runs the rounds, writes the report, fails when a round had no answer. */
  private int timeRounds(int port) throws IOException, InterruptedException {
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
    LatencyRounds.Answer answer = witnessFile == null ? LatencyRounds.greeting(port)
        : LatencyRounds.witness(new WitnessFile(Path.of(witnessFile)), witnessFile);
    LatencyRounds timer = new LatencyRounds(resolve(host, "host"), (Inet4Address) first,
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

  private static InetAddress resolve(String name, String what) {
    if (name.isBlank()) { // InetAddress.getByName("") is loopback: knock "" knocked there.
      throw new UserError(ExitCodes.USAGE, "the " + what + " is empty; give a name that resolves"
          + " or an IPv4/IPv6 address.");
    }
    try {
      return InetAddress.getByName(name);
    } catch (UnknownHostException e) {
      throw new UserError(ExitCodes.USAGE, "unknown " + what + " '" + name
          + "'; give a name that resolves or an IPv4/IPv6 address.");
    }
  }
}
