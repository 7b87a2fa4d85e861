package org.udpknock.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.udpknock.bench.PubSubFloor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * For scripts/bench fleet: Redis's own publish-to-subscriber time, the floor that udpknock's
 * grant-to-applied time on another host is compared with. Run {@code subscribe} in one network
 * namespace, wait for its "subscribed" line on stderr, then {@code publish} in another.
 */
@Command(name = "redis-floor", mixinStandardHelpOptions = true,
    description = "Time Redis PUBLISH -> subscriber (Jedis), on the wall clock: publish or subscribe.",
    footer = {"", "Exit codes: 0 every message published or received, 1 otherwise, 2 bad usage."})
final class RedisFloorCommand implements Callable<Integer> {
  enum Role { publish, subscribe }

  @Parameters(index = "0", paramLabel = "publish|subscribe", description = "This process's side.")
  Role role;

  @Option(names = "--store", paramLabel = "URI", required = true, description = "redis://HOST:PORT/DB")
  URI store;

  @Option(names = "--channel", defaultValue = "udpknock-bench:floor", description = "The channel (default: ${DEFAULT-VALUE}).")
  String channel;

  @Option(names = "--messages", paramLabel = "N", defaultValue = "1000", description = "Messages, warm-up included.")
  int messages;

  @Option(names = "--payload-bytes", paramLabel = "N", defaultValue = "160", description = "Each message's size.")
  int payloadBytes;

  @Option(names = "--max-pause", paramLabel = "DURATION", converter = Converters.Duration.class, defaultValue = "10ms",
      description = "publish: after each message, pause a random time below DURATION (fixed seed).")
  long maxPauseNanos;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = Converters.Duration.class, defaultValue = "120s",
      description = "subscribe: stop after DURATION even if messages are missing.")
  long timeoutNanos;

  @Option(names = "--report", paramLabel = "FILE|-", defaultValue = "-",
      description = "subscribe: 'SEQ SENT_NANOS RECEIVED_NANOS' per message, to FILE or stdout.")
  String report;

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (messages < 1 || messages > 1_000_000 || payloadBytes < 1 || payloadBytes > 65_536) {
      throw new UserError(ExitCodes.USAGE, "--messages must be 1-1000000 and --payload-bytes 1-65536.");
    }
    PubSubFloor floor = new PubSubFloor(store, channel);
    try {
      return role == Role.publish ? publish(floor) : subscribe(floor);
    } catch (RuntimeException e) {
      throw new UserError(ExitCodes.FAILURE, "Redis at " + store + ": " + e.getMessage() + "; check that it runs there.");
    }
  }

  private int publish(PubSubFloor floor) {
    long reached = floor.publish(messages, payloadBytes, maxPauseNanos);
    if (reached < 1) {
      throw new UserError(ExitCodes.FAILURE, "the last message reached no subscriber; start 'subscribe' first.");
    }
    return ExitCodes.OK;
  }

  private int subscribe(PubSubFloor floor) throws IOException, InterruptedException {
    try (PrintWriter out = report.equals("-")
        ? new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8))
        : new PrintWriter(Files.newBufferedWriter(Path.of(report), StandardCharsets.UTF_8))) {
      int received = floor.subscribe(messages, timeoutNanos, out, () -> System.err.println("subscribed " + channel));
      if (received < messages) {
        throw new UserError(ExitCodes.FAILURE, received + " of " + messages + " messages came within the timeout.");
      }
    }
    return ExitCodes.OK;
  }
}
