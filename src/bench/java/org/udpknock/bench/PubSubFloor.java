package org.udpknock.bench;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * The floor of scripts/bench fleet: Redis's own PUBLISH to subscriber time, through Jedis, between
 * two processes (one per network namespace) on the same wall clock as udpknock's events. Each
 * message is {@code floor SEQ SENT_NANOS } padded to a grant message's size; the subscriber writes
 * {@code SEQ SENT_NANOS RECEIVED_NANOS} per message.
 */
public final class PubSubFloor {
  /** Every connect and command answer is bounded by this. */
  private static final int TIMEOUT_MILLIS = 2_000;
  private static final String PREFIX = "floor ";

  private final URI store;
  private final String channel;

  public PubSubFloor(URI store, String channel) {
    this.store = store;
    this.channel = channel;
  }

  /** Wall-clock nanoseconds since the epoch, as udpknock's server stamps its events. */
  public static long nowNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  /** A message of exactly {@code bytes} ASCII bytes (at least what the stamp needs). */
  public static String message(int seq, long sentNanos, int bytes) {
    StringBuilder text = new StringBuilder(Math.max(bytes, 40)).append(PREFIX).append(seq).append(' ')
        .append(sentNanos).append(' ');
    while (text.length() < bytes) {
      text.append('x');
    }
    return text.toString();
  }

  /** {@code SEQ SENT_NANOS RECEIVED_NANOS} for a received message, or null for another one. */
  public static String receivedLine(String message, long receivedNanos) {
    if (!message.startsWith(PREFIX)) {
      return null;
    }
    String[] parts = message.split(" ", 4);
    if (parts.length < 3) {
      return null;
    }
    return parts[1] + " " + parts[2] + " " + receivedNanos;
  }

  /**
   * Publishes {@code messages} messages, each after a random pause below {@code maxPauseNanos}
   * (fixed seed); returns how many subscribers the last one reached.
   */
  public long publish(int messages, int bytes, long maxPauseNanos) {
    Random pauses = new Random(13);
    long reached = 0;
    try (Jedis jedis = new Jedis(store, TIMEOUT_MILLIS)) {
      for (int seq = 0; seq < messages; seq++) {
        reached = jedis.publish(channel, message(seq, nowNanos(), bytes));
        if (maxPauseNanos > 0) {
          LockSupport.parkNanos((long) (pauses.nextDouble() * maxPauseNanos));
        }
      }
    }
    return reached;
  }

  /**
   * Subscribes, says so on {@code ready}, writes a line per message to {@code out} until
   * {@code messages} have come or {@code timeoutNanos} have passed; returns how many came.
   */
  public int subscribe(int messages, long timeoutNanos, PrintWriter out, Runnable ready) throws InterruptedException {
    CountDownLatch done = new CountDownLatch(1);
    Listener listener = new Listener(messages, out, ready, done);
    Jedis jedis = new Jedis(store, TIMEOUT_MILLIS);
    Thread reader = new Thread(() -> subscribeQuietly(jedis, listener, done), "floor-subscriber");
    reader.setDaemon(true);
    reader.start();
    boolean all = done.await(timeoutNanos, TimeUnit.NANOSECONDS);
    if (!all && listener.isSubscribed()) {
      listener.unsubscribe();
    }
    reader.join(TIMEOUT_MILLIS);
    jedis.close();
    out.flush();
    return listener.received;
  }

  private void subscribeQuietly(Jedis jedis, Listener listener, CountDownLatch done) {
    try {
      jedis.subscribe(listener, channel);
    } catch (RuntimeException e) {
      System.err.println("floor subscriber: " + e.getMessage());
    } finally {
      done.countDown();
    }
  }

  /** Stamps each message first, then writes it: the stamp is the figure, the write is not. */
  private static final class Listener extends JedisPubSub {
    private final int messages;
    private final PrintWriter out;
    private final Runnable ready;
    private final CountDownLatch done;
    private volatile int received;

    Listener(int messages, PrintWriter out, Runnable ready, CountDownLatch done) {
      this.messages = messages;
      this.out = out;
      this.ready = ready;
      this.done = done;
    }

    @Override
    public void onSubscribe(String channel, int subscribedChannels) {
      ready.run();
    }

    @Override
    public void onMessage(String channel, String message) {
      String line = receivedLine(message, nowNanos());
      if (line == null) {
        return;
      }
      out.println(line);
      if (++received >= messages) {
        unsubscribe();
        done.countDown();
      }
    }
  }
}
