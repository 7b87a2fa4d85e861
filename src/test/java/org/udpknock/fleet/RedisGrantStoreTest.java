package org.udpknock.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.auth.KnockKey;
import org.udpknock.core.Addresses;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

/** Stores on a real redis-server of the test's own, on 127.0.0.1. */
class RedisGrantStoreTest {
  static final KnockKey FLEET_KEY = GrantMessageTest.key(0x5A);
  private static final long MS = 1_000_000L;

  @TempDir
  java.nio.file.Path directory;
  private RedisProcess redis;
  private final List<RedisGrantStore> stores = new ArrayList<>();

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisProcess.onLoopback(directory);
  }

  @AfterEach
  void stopAll() throws Exception {
    stores.forEach(RedisGrantStore::close);
    redis.close();
  }

  static long now() {
    return System.currentTimeMillis() * MS;
  }

  /** A grant for 10.0.0.N, ending {@code seconds} from now. */
  static SharedGrant grant(String door, int n, long seconds) {
    return new SharedGrant(door, 0, Addresses.ipv4Lo(0x0A000000 | n), now() + seconds * 1_000 * MS);
  }

  private FleetSettings settings(String host) {
    return new FleetSettings(URI.create(redis.uri(false)), null, null, FLEET_KEY, host);
  }

  private RecordingReceiver started(FleetSettings settings) {
    RecordingReceiver receiver = new RecordingReceiver();
    RedisGrantStore store = new RedisGrantStore(settings);
    stores.add(store);
    store.start(receiver);
    return receiver;
  }

  private RedisGrantStore last() {
    return stores.get(stores.size() - 1);
  }

  /** Host A's store and receiver and host B's receiver, both connected and loaded (resumed). */
  private record TwoHosts(RedisGrantStore storeA, RecordingReceiver a, RecordingReceiver b) {}

  private TwoHosts twoHostsConnected() throws InterruptedException {
    RecordingReceiver a = started(settings("host-a"));
    RedisGrantStore storeA = last();
    RecordingReceiver b = started(settings("host-b"));
    a.next("resumed", 10);
    b.next("resumed", 10);
    return new TwoHosts(storeA, a, b);
  }

  private static boolean isGrant(RecordingReceiver.Event event, SharedGrant grant) {
    return grant.door().equals(event.grant().door()) && grant.sourceLo() == event.grant().sourceLo();
  }

  @Test
  void aGrantPublishedOnOneHostIsReceivedOnTheOtherAndNotEchoedToItself() throws Exception {
    RecordingReceiver a = started(settings("host-a"));
    RedisGrantStore storeA = last();
    RecordingReceiver b = started(settings("host-b"));
    RedisGrantStore storeB = last();
    a.next("resumed", 10);
    b.next("resumed", 10);
    SharedGrant fromA = grant("ssh", 1, 60);
    assertTrue(storeA.publish(fromA));
    RecordingReceiver.Event got = b.next("received", 10);
    assertEquals(new SharedGrant("ssh", 0, fromA.sourceLo(), fromA.expiresAtNanos() / MS * MS), got.grant());
    assertEquals("host-a", got.host());
    // The channel keeps each publisher's order: once B's later grant reached A, A's echo had too.
    assertTrue(storeB.publish(grant("ssh", 2, 60)));
    assertEquals("host-b", a.next("received", 10).host());
    assertEquals(List.of(), a.drain(), "A was handed its own grant back");
    // Counted once its pipeline's answers are back, which can be after B has the grant.
    awaitPublished(storeA, 1);
    assertEquals(1, storeA.counts().received());
    assertTrue(storeA.counts().connected());
  }

  /** Access to Redis alone must not grant: forged messages are refused with their reason, and none is applied. */
  @Test
  void refusesForgedUnsignedAndStaleMessagesFromTheChannel() throws Exception {
    RecordingReceiver b = started(settings("host-b"));
    b.next("resumed", 10);
    SharedGrant grant = grant("ssh", 3, 60);
    long issued = now();
    String wrongKey = GrantMessage.encode(grant, "intruder", "00000000000000ff", issued, GrantMessageTest.key(1));
    String signed = GrantMessage.encode(grant, "host-x", "00000000000000ff", issued, FLEET_KEY);
    String unsigned = signed.substring(0, signed.lastIndexOf(' '));
    SharedGrant ended = new SharedGrant("ssh", 0, grant.sourceLo(), now() - 1_000 * MS);
    String stale = GrantMessage.encode(ended, "host-x", "00000000000000ff", now() - 60_000 * MS, FLEET_KEY);
    try (Jedis intruder = new Jedis(redis.uri(false))) {
      for (String forged : List.of(wrongKey, unsigned, stale, "hello")) {
        intruder.publish(RedisGrantStore.CHANNEL, forged);
      }
    }
    assertEquals("bad-signature", b.next("refused", 10).reason());
    assertEquals("unsigned", b.next("refused", 10).reason());
    assertEquals("expired", b.next("refused", 10).reason());
    assertEquals("malformed", b.next("refused", 10).reason());
    assertEquals(List.of(), b.drain());
    RedisGrantStore.FleetCounts counts = last().counts();
    assertEquals(0, counts.received());
    assertEquals(4, counts.refused());
    assertEquals(Map.of("bad-signature", 1L, "expired", 1L, "malformed", 1L, "unsigned", 1L), counts.refusedByReason());
  }

  /**
   * A host that starts loads the live grants: another host's, and its own earlier run's (same
   * host name, another instance); not one that ended, even if Redis still holds it.
   */
  @Test
  void aStoreThatStartsLoadsTheLiveGrantsOnly() throws Exception {
    RecordingReceiver a = started(settings("host-a"));
    RedisGrantStore storeA = last();
    a.next("resumed", 10);
    SharedGrant live = grant("ssh", 4, 60);
    storeA.publish(live);
    storeA.publish(grant("ssh", 5, -1)); // Ended before the worker took it: never written.
    SharedGrant ended = new SharedGrant("web", 0, Addresses.ipv4Lo(6), now() - 1_000 * MS);
    String endedMessage = GrantMessage.encode(ended, "host-c", "00000000000000ff", now() - 30_000 * MS, FLEET_KEY);
    try (Jedis writer = new Jedis(redis.uri(false))) {
      // As a host whose clock runs late could leave it: the key outlives the message's end.
      writer.set(RedisGrantStore.KEY_PREFIX + "web:0.0.0.6", endedMessage,
          SetParams.setParams().pxAt(System.currentTimeMillis() + 60_000));
      awaitKeys(writer, 2);
    }
    RecordingReceiver restarted = started(settings("host-a")); // Same host, a new process.
    List<RecordingReceiver.Event> events = restarted.upTo("resumed", 10); // In SCAN's order.
    assertEquals(1, events.remove(events.size() - 1).loaded());
    assertEquals("received,refused", summary(events.stream().sorted(
        java.util.Comparator.comparing(RecordingReceiver.Event::kind)).toList()));
    RecordingReceiver.Event loaded = events.stream().filter(e -> e.kind().equals("received")).findFirst().get();
    assertEquals("host-a", loaded.host());
    assertTrue(isGrant(loaded, live));
    assertEquals("expired", events.stream().filter(e -> e.kind().equals("refused")).findFirst().get().reason());
  }

  private static void awaitPublished(RedisGrantStore store, long count) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000 * MS;
    while (store.counts().published() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(count, store.counts().published());
  }

  private static void awaitKeys(Jedis jedis, long count) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000 * MS;
    while (jedis.dbSize() < count && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(count, jedis.dbSize());
  }

  /** Redis killed: both hosts lose it, publishing still returns at once, and A's grant of the outage reaches B after. */
  @Test
  void aGrantMadeWhileRedisIsDownReachesTheOtherHostWhenItIsBack() throws Exception {
    TwoHosts hosts = twoHostsConnected();
    RecordingReceiver a = hosts.a();
    RedisGrantStore storeA = hosts.storeA();
    RecordingReceiver b = hosts.b();
    redis.kill();
    String why = a.next("lost", 10).detail();
    assertTrue(why.startsWith("the grant store " + redis.uri(false) + " "), why);
    b.next("lost", 10);
    assertFalse(storeA.counts().connected());
    SharedGrant meanwhile = grant("ssh", 7, 60);
    long before = System.nanoTime();
    assertTrue(storeA.publish(meanwhile));
    assertTrue(System.nanoTime() - before < 100 * MS, "publish waited");
    redis.start();
    assertEquals(1, a.next("resumed", 20).republished());
    assertTrue(isGrant(b.next("received", 20), meanwhile));
    assertTrue(storeA.counts().connected());
    assertEquals(List.of(), a.drain().stream().filter(e -> e.kind().equals("lost")).toList(), "lost twice in one outage");
  }

  /** Only the subscriber's connection dropped (Redis's CLIENT KILL): the worker notices, starts over, and B catches up. */
  @Test
  void aDroppedSubscriptionIsNoticedAndWhatItMissedIsLoaded() throws Exception {
    TwoHosts hosts = twoHostsConnected();
    RecordingReceiver a = hosts.a();
    RedisGrantStore storeA = hosts.storeA();
    RecordingReceiver b = hosts.b();
    assertEquals("2", redis.cli("CLIENT", "KILL", "TYPE", "pubsub"));
    b.next("lost", 10);
    SharedGrant missed = grant("ssh", 8, 60);
    storeA.publish(missed);
    // Loaded on the way back (before resumed), or announced after it: either way once.
    List<RecordingReceiver.Event> events = b.upTo("resumed", 20);
    if (events.stream().noneMatch(e -> e.kind().equals("received"))) {
      events.add(b.next("received", 10));
    }
    assertTrue(events.stream().anyMatch(e -> e.kind().equals("received") && isGrant(e, missed)), summary(events));
  }

  /** Was: a receiver that threw in lost() ended the worker thread, and the store never came back. */
  @Test
  void aReceiverThatThrowsDoesNotStopTheStore() throws Exception {
    RecordingReceiver recorded = new RecordingReceiver();
    GrantStore.Receiver throwing = new GrantStore.Receiver() {
      public void received(SharedGrant grant, String host) {
        recorded.received(grant, host);
        throw new IllegalStateException("received");
      }

      public void refused(String reason, String detail) {
        recorded.refused(reason, detail);
        throw new IllegalStateException("refused");
      }

      public void lost(String why) {
        recorded.lost(why);
        throw new IllegalStateException("lost");
      }

      public void resumed(int loaded, int republished) {
        recorded.resumed(loaded, republished);
        throw new IllegalStateException("resumed");
      }
    };
    redis.kill();
    RedisGrantStore store = new RedisGrantStore(settings("host-b"));
    stores.add(store);
    store.start(throwing);
    recorded.next("lost", 10);
    redis.start();
    recorded.next("resumed", 20);
    RecordingReceiver a = started(settings("host-a"));
    a.next("resumed", 10);
    last().publish(grant("ssh", 12, 60));
    last().publish(grant("ssh", 13, 60));
    recorded.next("received", 10);
    recorded.next("received", 10);
    assertTrue(store.counts().connected());
  }

  /** A store that answers but refuses writes (here: out of memory) is lost, and what it refused is written once it accepts again. */
  @Test
  void aStoreThatRefusesWritesIsLostAndTheGrantKept() throws Exception {
    RecordingReceiver a = started(settings("host-a"));
    RedisGrantStore storeA = last();
    a.next("resumed", 10);
    redis.cli("CONFIG", "SET", "maxmemory", "1");
    storeA.publish(grant("ssh", 11, 60));
    assertTrue(a.next("lost", 10).detail().contains("OOM"));
    assertEquals("OK", redis.cli("CONFIG", "SET", "maxmemory", "0"));
    assertEquals(1, a.next("resumed", 20).republished());
    assertEquals("1", redis.cli("DBSIZE"));
  }

  /**
   * Redis paused (SIGSTOP): connections stay up and nothing answers. The capture thread's
   * publish must never wait on that: 10,000 of them return at once; once Redis goes on, all
   * arrive on the other host.
   */
  @Test
  void publishNeverWaitsWhileRedisIsPausedAndAllArriveAfter() throws Exception {
    TwoHosts hosts = twoHostsConnected();
    RecordingReceiver a = hosts.a();
    RedisGrantStore storeA = hosts.storeA();
    RecordingReceiver b = hosts.b();
    int grants = 10_000;
    redis.pause();
    long before = System.nanoTime();
    for (int i = 1; i <= grants; i++) {
      assertTrue(storeA.publish(grant("ssh", i, 120)));
    }
    long elapsed = System.nanoTime() - before;
    assertTrue(elapsed < 1_000 * MS, grants + " publish calls took " + elapsed / MS + " ms");
    assertTrue(a.next("lost", 10).detail().contains("did not answer within 1000 ms"));
    redis.resume();
    java.util.Set<Long> sources = new java.util.HashSet<>();
    long deadline = System.nanoTime() + 60_000 * MS;
    while (sources.size() < grants && System.nanoTime() < deadline) {
      sources.add(b.next("received", 60).grant().sourceLo());
    }
    assertEquals(grants, sources.size());
    assertEquals(0, storeA.counts().dropped());
  }

  @Test
  void aPasswordFromTheFileWorksAndAWrongOneIsLostNamingTheFileUntilFixed() throws Exception {
    java.nio.file.Path passwordFile = directory.resolve("redis.password");
    java.nio.file.Files.writeString(passwordFile, "s3cret-" + System.nanoTime());
    String password = java.nio.file.Files.readString(passwordFile);
    redis.requirePassword(password);
    URI uri = URI.create(redis.uri(false));
    RecordingReceiver right = started(new FleetSettings(uri, password, null, FLEET_KEY, "host-a"));
    right.next("resumed", 10);
    RecordingReceiver inUri = started(new FleetSettings(URI.create("redis://default:" + password + "@127.0.0.1:"
        + redis.port() + "/0"), null, null, FLEET_KEY, "host-b"));
    inUri.next("resumed", 10);
    RecordingReceiver wrong = started(new FleetSettings(uri, "not-it", null, FLEET_KEY, "host-c"));
    String why = wrong.next("lost", 10).detail();
    assertTrue(why.contains("refused the password") && why.contains("grant_store_password_file"), why);
    assertFalse(why.contains("not-it"), why);
    RecordingReceiver none = started(new FleetSettings(uri, null, null, FLEET_KEY, "host-d"));
    assertTrue(none.next("lost", 10).detail().contains("grant_store_password_file"));
    // The store's password changed to host-c's: it is retried, without a restart.
    redis.requirePassword("not-it");
    wrong.next("resumed", 20);
  }

  /** The capture thread's hand-off is bounded: past capacity, publish refuses at once and counts the drop. */
  @Test
  void aFullQueueOrALinkLocalSourceIsDroppedAndCounted() {
    RedisGrantStore notStarted = new RedisGrantStore(settings("host-a"), RedisGrantStoreTest::now, 2);
    stores.add(notStarted);
    assertTrue(notStarted.publish(grant("ssh", 1, 60)));
    assertTrue(notStarted.publish(grant("ssh", 2, 60)));
    assertFalse(notStarted.publish(grant("ssh", 3, 60)));
    long linkLocal = Addresses.scopedHi(Addresses.LINK_LOCAL_HI, 2);
    assertFalse(notStarted.publish(new SharedGrant("ssh", linkLocal, 1, now() + 60_000 * MS)));
    assertEquals(2, notStarted.counts().dropped());
  }

  /** The URI, host name and key are the config reader's to check (FleetConfigTest); the CA file is the store's. */
  @Test
  void checkRefusesACaFileThatCannotBeUsed() {
    assertBadSettings(new FleetSettings(URI.create("rediss://127.0.0.1:6379/0"), null, directory.resolve("none.pem"),
        FLEET_KEY, "h"), "grant_store_ca_file");
  }

  private static void assertBadSettings(FleetSettings settings, String named) {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> RedisGrantStore.check(settings));
    assertTrue(e.getMessage().contains(named), e.getMessage());
  }

  @Test
  void closeIsBoundedEvenWhileRedisIsPaused() throws Exception {
    RecordingReceiver a = started(settings("host-a"));
    a.next("resumed", 10);
    redis.pause();
    last().publish(grant("ssh", 1, 60));
    long before = System.nanoTime();
    last().close();
    long elapsed = System.nanoTime() - before;
    assertTrue(elapsed < 1_100 * MS, "close took " + elapsed / MS + " ms");
  }

  static String summary(List<RecordingReceiver.Event> events) {
    return events.stream().map(RecordingReceiver.Event::kind).collect(Collectors.joining(","));
  }
}
