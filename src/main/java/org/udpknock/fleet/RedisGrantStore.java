package org.udpknock.fleet;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.udpknock.core.Addresses;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The fleet's grants in Redis (or Valkey). Each grant is a {@link GrantMessage} stored under
 * {@code udpknock:grant:DOOR:SOURCE} until its end ({@code SET ... PXAT}) and announced on the
 * channel {@code udpknock:grants}.
 *
 * <p>Threads: {@link #publish} only offers to a bounded queue. One worker thread,
 * {@code udpknock-fleet}, owns the publishing connection: it writes what is queued in pipelined
 * batches, PINGs when idle so that a loss is noticed within about a second, and runs the
 * (re)connection: subscribe (confirmed), load the live grants, republish those made meanwhile,
 * then {@code resumed}. The subscriber thread, {@code udpknock-fleet-subscriber}, has a connection of
 * its own. Every connect and read is bounded by {@link #TIMEOUT_MILLIS}; any failure is one
 * {@code lost} per outage, and retries back off from 100 ms to 5 s, with jitter so that a fleet
 * does not reconnect in step.
 */
public final class RedisGrantStore implements GrantStore {
  public static final String CHANNEL = "udpknock:grants";
  public static final String KEY_PREFIX = "udpknock:grant:";
  /** A channel of this instance's own, that no one listens to: published to once at connect. */
  private static final String WARMUP_CHANNEL_PREFIX = "udpknock:warmup:";
  public static final int DEFAULT_CAPACITY = 65_536;
  /** Bounds every connect and every answer awaited: the worst a paused server costs a store's thread. */
  public static final int TIMEOUT_MILLIS = 1_000;
  static final long FIRST_RETRY_MILLIS = 100;
  static final long MAX_RETRY_MILLIS = 5_000;
  private static final int BATCH = 1_000;
  private static final long JOIN_MILLIS = 500;
  private static final long NANOS_PER_MILLI = 1_000_000L;

  private final FleetSettings settings;
  private final RedisEndpoint endpoint;
  private final String instance = newInstance();
  private final LongSupplier wallNanos;
  private final BlockingQueue<SharedGrant> queue;
  private final PendingGrants pending;
  private final Thread worker = new Thread(this::work, "udpknock-fleet");
  private final LongAdder published = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
  private volatile Receiver receiver;
  private volatile boolean connected;
  private volatile boolean closed;
  private volatile Jedis publisher;
  private volatile Subscription subscription;
  private int failedAttempts;

  /** A store on the wall clock, queueing up to {@link #DEFAULT_CAPACITY} grants. */
  public RedisGrantStore(FleetSettings settings) {
    this(settings, () -> System.currentTimeMillis() * NANOS_PER_MILLI, DEFAULT_CAPACITY);
  }

  /**
   * @param wallNanos wall-clock nanoseconds since the epoch: messages' issue times, and the clock
   *     expiries are checked against
   * @param capacity grants queued for the worker, and grants kept while the store is unreachable
   * @throws IllegalArgumentException with a sentence, for settings that cannot work (see {@link #check})
   */
  public RedisGrantStore(FleetSettings settings, LongSupplier wallNanos, int capacity) {
    this.endpoint = endpoint(settings);
    this.settings = settings;
    this.wallNanos = wallNanos;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.pending = new PendingGrants(capacity);
    worker.setDaemon(true);
  }

  /**
   * Checks what the config reader leaves to the store: that {@code grant_store_ca_file} holds
   * certificates a TLS connection can trust.
   *
   * @throws IllegalArgumentException with one sentence naming the setting
   */
  public static void check(FleetSettings settings) {
    endpoint(settings);
  }

  private static RedisEndpoint endpoint(FleetSettings settings) {
    return RedisEndpoint.of(settings, TIMEOUT_MILLIS);
  }

  /** This process's INSTANCE token: its own messages, echoed on the channel, are skipped. */
  public String instance() {
    return instance;
  }

  @Override
  public void start(Receiver receiver) {
    if (this.receiver != null) {
      throw new IllegalStateException("started twice");
    }
    this.receiver = receiver;
    worker.start();
  }

  @Override
  public boolean publish(SharedGrant grant) {
    if (Addresses.isScoped(grant.sourceHi()) || !queue.offer(grant)) {
      dropped.increment(); // Link-local: meaningful on one link only, never shared.
      return false;
    }
    return true;
  }

  @Override
  public FleetCounts counts() {
    Map<String, Long> byReason = new TreeMap<>();
    refused.forEach((reason, count) -> byReason.put(reason, count.sum()));
    return new FleetCounts(published.sum(), received.sum(), byReason, dropped.sum(), connected);
  }

  @Override
  public void close() {
    closed = true;
    worker.interrupt();
    disconnect(); // Unblocks a worker or subscriber that waits on a socket.
    try {
      worker.join(JOIN_MILLIS);
      Subscription last = subscription;
      if (last != null) {
        last.thread.join(JOIN_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // Never throws: a close is on the way out.
    }
  }

  private void work() {
    warmUp();
    boolean lostReported = false;
    while (!closed) {
      try {
        connect();
        failedAttempts = 0;
        lostReported = false;
        serve();
      } catch (InterruptedException e) {
        break; // close()
      } catch (RuntimeException e) {
        connected = false;
        disconnect();
        if (closed) {
          break;
        }
        if (!lostReported) {
          lostReported = true;
          String why = StoreFailure.describe(settings.storeForLog(), e, TIMEOUT_MILLIS);
          tell(() -> receiver.lost(why));
        }
        if (!collectFor(retryDelayMillis())) {
          break;
        }
      }
    }
    disconnect();
  }

  /**
   * Signs and checks one message before the first grant needs it: the first use of HMAC loads the
   * JDK's crypto provider, tens of milliseconds that the first shared grant would otherwise wait.
   */
  private void warmUp() {
    long now = wallNanos.getAsLong();
    SharedGrant probe = new SharedGrant("warmup", 0, 0xFFFF_7F00_0001L, now + NANOS_PER_MILLI * 1000);
    GrantMessage.decode(GrantMessage.encode(probe, settings.hostName(), instance, now, settings.fleetKey()),
        settings.fleetKey(), now);
  }

  /** Subscribes (confirmed), then loads the live grants, then republishes those made meanwhile. */
  private void connect() throws InterruptedException {
    publisher = endpoint.connect();
    Subscription next = new Subscription(endpoint.connect());
    subscription = next;
    if (closed) {
      throw new InterruptedException(); // close() came while connecting: it closed the earlier connections only.
    }
    next.start();
    next.awaitSubscribed(TIMEOUT_MILLIS);
    int loaded = load(publisher);
    try (Pipeline warm = publisher.pipelined()) { // A first pipelined write, of nothing: its classes load now.
      warm.publish(WARMUP_CHANNEL_PREFIX + instance, "");
      warm.sync();
    }
    List<SharedGrant> meanwhile = pending.live(wallNanos.getAsLong());
    write(publisher, meanwhile);
    pending.clear();
    connected = true;
    tell(() -> receiver.resumed(loaded, meanwhile.size()));
  }

  /** Writes what is queued, in batches; PINGs after a second with nothing to write. Returns only by throwing. */
  private void serve() throws InterruptedException {
    List<SharedGrant> batch = new ArrayList<>(BATCH);
    while (!closed) {
      subscription.check();
      SharedGrant first = queue.poll(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      if (first == null) {
        publisher.ping();
        continue;
      }
      batch.clear();
      batch.add(first);
      queue.drainTo(batch, BATCH - 1);
      try {
        write(publisher, batch);
      } catch (RuntimeException e) {
        keepForLater(batch); // Not known to be written: publish them again once back.
        throw e;
      }
    }
    throw new InterruptedException();
  }

  /** SET with the grant's end, and PUBLISH, for each live grant, pipelined: one round trip per batch. */
  private void write(Jedis jedis, List<SharedGrant> grants) {
    long now = wallNanos.getAsLong();
    for (int from = 0; from < grants.size(); from += BATCH) {
      int written = 0;
      try (Pipeline pipeline = jedis.pipelined()) {
        for (SharedGrant grant : grants.subList(from, Math.min(grants.size(), from + BATCH))) {
          written += append(pipeline, grant, now) ? 1 : 0;
        }
        throwAnError(pipeline.syncAndReturnAll());
      }
      published.add(written);
    }
  }

  /**
   * A store that answers but does not store (a read-only replica, out of memory) is as good as
   * lost: its error is thrown, and the batch is kept for later.
   */
  private static void throwAnError(List<Object> replies) {
    for (Object reply : replies) {
      if (reply instanceof RuntimeException error) {
        throw error;
      }
    }
  }

  private boolean append(Pipeline pipeline, SharedGrant grant, long now) {
    if (grant.expiresAtNanos() <= now) {
      return false; // Ended while queued.
    }
    String message;
    try {
      message = GrantMessage.encode(grant, settings.hostName(), instance, now, settings.fleetKey());
    } catch (IllegalArgumentException e) {
      dropped.increment(); // A door name no receiver would accept: the config should have refused it.
      return false;
    }
    long endMillis = Math.floorDiv(grant.expiresAtNanos(), NANOS_PER_MILLI);
    pipeline.set(key(grant), message, SetParams.setParams().pxAt(endMillis));
    pipeline.publish(CHANNEL, message);
    return true;
  }

  static String key(SharedGrant grant) {
    return KEY_PREFIX + grant.door() + ":" + Addresses.format(grant.sourceHi(), grant.sourceLo());
  }

  /** Every live grant in the store (SCAN + MGET), delivered as received; returns how many were delivered. */
  private int load(Jedis jedis) {
    ScanParams match = new ScanParams().match(KEY_PREFIX + "*").count(BATCH);
    String cursor = ScanParams.SCAN_POINTER_START;
    int loaded = 0;
    do {
      ScanResult<String> page = jedis.scan(cursor, match);
      if (!page.getResult().isEmpty()) {
        for (String message : jedis.mget(page.getResult().toArray(new String[0]))) {
          loaded += deliver(message) ? 1 : 0;
        }
      }
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START) && !closed);
    return loaded;
  }

  /**
   * Checks one message and hands it on; true when it was delivered as received. This host's own
   * messages (its instance) are skipped: it applied them when it made them.
   */
  private boolean deliver(String message) {
    if (message == null) {
      return false; // Expired between SCAN and MGET.
    }
    GrantMessage.Result result = GrantMessage.decode(message, settings.fleetKey(), wallNanos.getAsLong());
    if (result instanceof GrantMessage.Refused refusal) {
      refused.computeIfAbsent(refusal.reason(), reason -> new LongAdder()).increment();
      tell(() -> receiver.refused(refusal.reason(), refusal.detail()));
      return false;
    }
    GrantMessage.Decoded decoded = (GrantMessage.Decoded) result;
    if (decoded.instance().equals(instance)) {
      return false;
    }
    received.increment();
    tell(() -> receiver.received(decoded.grant(), decoded.host()));
    return true;
  }

  /** The receiver's failure is its own to report: it must not end the worker, the subscription or a load. */
  private void tell(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      // Nothing to do here: the grant or the event is the receiver's.
    }
  }

  /**
   * While lost: waits {@code millis} before the next attempt, moving what is published meanwhile
   * into {@link #pending}, so that the queue never fills during an outage. False once closed.
   */
  private boolean collectFor(long millis) {
    long deadline = System.nanoTime() + millis * NANOS_PER_MILLI;
    try {
      for (long left = millis * NANOS_PER_MILLI; left > 0 && !closed; left = deadline - System.nanoTime()) {
        SharedGrant grant = queue.poll(left, TimeUnit.NANOSECONDS);
        if (grant != null) {
          List<SharedGrant> more = new ArrayList<>(List.of(grant));
          queue.drainTo(more, BATCH);
          keepForLater(more);
        }
      }
    } catch (InterruptedException e) {
      return false;
    }
    return !closed;
  }

  private void keepForLater(List<SharedGrant> grants) {
    long now = wallNanos.getAsLong();
    for (SharedGrant grant : grants) {
      if (!pending.add(grant, now)) {
        dropped.increment();
      }
    }
  }

  /** 100 ms doubling to 5 s, each between half and all of its value. */
  private long retryDelayMillis() {
    long full = Math.min(MAX_RETRY_MILLIS, FIRST_RETRY_MILLIS << Math.min(failedAttempts++, 16));
    return full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1);
  }

  /** Closes both connections; safe from any thread, any number of times. */
  private void disconnect() {
    Jedis jedis = publisher;
    Subscription sub = subscription;
    closeQuietly(jedis);
    if (sub != null) {
      closeQuietly(sub.jedis);
    }
  }

  private static void closeQuietly(Jedis jedis) {
    try {
      if (jedis != null) {
        jedis.close();
      }
    } catch (RuntimeException e) {
      // Already broken: nothing more to release.
    }
  }

  private static String newInstance() {
    byte[] bytes = new byte[8];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /** The subscribed connection, on a thread of its own until its connection fails or is closed. */
  private final class Subscription extends redis.clients.jedis.JedisPubSub {
    final Jedis jedis;
    final Thread thread = new Thread(this::run, "udpknock-fleet-subscriber");
    private final java.util.concurrent.CountDownLatch subscribed = new java.util.concurrent.CountDownLatch(1);
    private volatile RuntimeException failure;

    Subscription(Jedis jedis) {
      this.jedis = jedis;
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void run() {
      try {
        jedis.subscribe(this, CHANNEL); // Returns only when unsubscribed, which nothing here asks.
        failure = new IllegalStateException("the subscription ended");
      } catch (RuntimeException e) {
        failure = e;
      }
    }

    @Override
    public void onSubscribe(String channel, int subscribedChannels) {
      subscribed.countDown();
    }

    @Override
    public void onMessage(String channel, String message) {
      deliver(message);
    }

    void awaitSubscribed(long millis) throws InterruptedException {
      if (!subscribed.await(millis, TimeUnit.MILLISECONDS)) {
        check();
        throw new IllegalStateException("did not confirm the subscription within " + millis + " ms");
      }
    }

    /** Throws the subscriber's failure, so that the worker starts over. */
    void check() {
      RuntimeException e = failure;
      if (e != null) {
        throw e;
      }
    }
  }
}
