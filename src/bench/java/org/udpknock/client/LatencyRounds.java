package org.udpknock.client;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import org.udpknock.core.KnockSequence;

/**
 * Knock-then-answer rounds run one after another in one process, each from its own IPv4 source
 * address ({@code first}, {@code first + 1}, ...), so that each round's answer waits for that
 * source's own grant even when earlier grants keep the service port open. Each round is timed
 * from the moment its last knock datagram has been sent to the server's answer, on one clock.
 *
 * <p>Before each round the client may pause a random time, uniform in [0, maxPause): a server that
 * works on a periodic timer (knockd reads libpcap with a 50 ms timeout) would otherwise be met at
 * the same phase of its period every round, since each round starts when the last one is answered.
 * The pauses come from a fixed seed, so every run has the same schedule.
 */
public final class LatencyRounds {
  /** A run stops after this many rounds without an answer: the server is not answering. */
  public static final int MAX_MISSED = 10;

  /** How the server's answer to a round is observed, and on which clock. */
  public interface Answer {
    /** Reads the clock; called right after the last knock datagram is sent. */
    long now();

    /** Waits for the answer to {@code source}; returns its time on {@link #now}'s clock, or empty. */
    OptionalLong await(KnockClient client, InetAddress source, long timeoutNanos)
        throws IOException, InterruptedException;

    /** Says what is timed, for reports: "greeting received, System.nanoTime". */
    String describe();
  }

  /** The greeting read from the service port (after the server closed it), on {@link System#nanoTime}. */
  public static Answer greeting(int servicePort) {
    return new Answer() {
      @Override
      public long now() {
        return System.nanoTime();
      }

      @Override
      public OptionalLong await(KnockClient client, InetAddress source, long timeoutNanos)
          throws IOException, InterruptedException {
        return client.fetchGreeting(servicePort, timeoutNanos).isPresent()
            ? OptionalLong.of(System.nanoTime()) : OptionalLong.empty();
      }

      @Override
      public String describe() {
        return "greeting received from port " + servicePort + "; clock System.nanoTime (monotonic)";
      }
    };
  }

  /**
   * The source's line in a {@link WitnessFile}, whose times are epoch nanoseconds
   * ({@code date +%s%N}, CLOCK_REALTIME): the knocks are timed with {@link Instant#now}, the same clock.
   */
  public static Answer witness(WitnessFile file, String name) {
    return new Answer() {
      @Override
      public long now() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
      }

      @Override
      public OptionalLong await(KnockClient client, InetAddress source, long timeoutNanos)
          throws IOException, InterruptedException {
        return file.await(source.getHostAddress(), timeoutNanos);
      }

      @Override
      public String describe() {
        return "line for the source in " + name + "; clock CLOCK_REALTIME (Instant.now, date +%s%N)";
      }
    };
  }

  /** One measured round; {@code latencyNanos} is empty when no answer came in time. */
  public record Round(int number, InetAddress source, OptionalLong latencyNanos) {}

  private final InetAddress host;
  private final Inet4Address firstSource;
  private final KnockSequence sequence;
  private final long delayNanos;
  private final Answer answer;
  private final long timeoutNanos;
  private final long maxPauseNanos;
  private final SplittableRandom random = new SplittableRandom(20261124L);

  public LatencyRounds(InetAddress host, Inet4Address firstSource, KnockSequence sequence,
      long delayNanos, Answer answer, long timeoutNanos, long maxPauseNanos) {
    this.host = host;
    this.firstSource = firstSource;
    this.sequence = sequence;
    this.delayNanos = delayNanos;
    this.answer = answer;
    this.timeoutNanos = timeoutNanos;
    this.maxPauseNanos = maxPauseNanos;
  }

  /**
   * Runs {@code warmups} rounds that are not reported, then {@code rounds} that are, stopping
   * early after {@value #MAX_MISSED} rounds without an answer (warm-ups included).
   */
  public List<Round> run(int warmups, int rounds) throws IOException, InterruptedException {
    List<Round> measured = new ArrayList<>(rounds);
    int missed = 0;
    for (int i = 0; i < warmups + rounds && missed < MAX_MISSED; i++) {
      if (maxPauseNanos > 0) {
        LockSupport.parkNanos(random.nextLong(maxPauseNanos));
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
      InetAddress source = nthAddress(firstSource, i);
      KnockClient client = new KnockClient(host, source);
      long sent = client.knock(sequence, delayNanos, new byte[0], answer::now);
      OptionalLong answered = answer.await(client, source, timeoutNanos);
      OptionalLong latency = answered.isPresent()
          ? OptionalLong.of(answered.getAsLong() - sent) : OptionalLong.empty();
      if (latency.isEmpty()) {
        missed++;
      }
      if (i >= warmups) {
        measured.add(new Round(i - warmups + 1, source, latency));
      }
    }
    return measured;
  }

  /**
   * {@code first} plus {@code n}, e.g. 127.1.0.255 + 1 = 127.1.1.0. The result stays in the /8 of
   * {@code first} (so loopback sources stay loopback), or this throws IllegalArgumentException.
   */
  public static Inet4Address nthAddress(Inet4Address first, int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be 0 or more, not " + n);
    }
    byte[] bytes = first.getAddress();
    long value = ((bytes[0] & 0xffL) << 24) | ((bytes[1] & 0xffL) << 16) | ((bytes[2] & 0xffL) << 8)
        | (bytes[3] & 0xffL);
    long result = value + n;
    if ((result >>> 24) != (value >>> 24)) {
      throw new IllegalArgumentException(first.getHostAddress() + " + " + n + " leaves "
          + (value >>> 24) + ".0.0.0/8");
    }
    byte[] out = {(byte) (result >>> 24), (byte) (result >>> 16), (byte) (result >>> 8), (byte) result};
    try {
      return (Inet4Address) InetAddress.getByAddress(out);
    } catch (UnknownHostException e) {
      throw new AssertionError("four bytes are always an address", e);
    }
  }
}
