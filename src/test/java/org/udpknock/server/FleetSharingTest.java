package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.udpknock.auth.KnockKey;
import org.udpknock.config.MetricsAddress;
import org.udpknock.core.Addresses;
import org.udpknock.core.KnockSequence;
import org.udpknock.door.Door;
import org.udpknock.door.Sharing;
import org.udpknock.fleet.FleetSettings;
import org.udpknock.fleet.GrantStore;
import org.udpknock.fleet.SharedGrant;
import org.udpknock.metrics.ServerMetrics;
import org.udpknock.report.EventWriter;

/**
 * The server's side of a fleet, in process, on a clock the test sets: a shared door's grant is
 * handed to the store; another host's grant opens the door here until its own end, and is not
 * published again. The store here is the test's own recorder of this interface: the Redis
 * store behind it has its own tests with a real redis-server (RedisGrantStoreTest, FleetIT).
 */
class FleetSharingTest {
  private static final KnockSequence SEQUENCE = KnockSequence.of(7101, 7103, 7102);
  private static final long SECOND = 1_000_000_000L;
  private static final long T = 1_795_000_000_000_000_000L;
  private static final long A = Addresses.ipv4Lo(0x0A000001); // 10.0.0.1
  private static final long B = Addresses.ipv4Lo(0x0A000002); // 10.0.0.2
  private final AtomicLong clock = new AtomicLong(T);
  private final RecordingStore store = new RecordingStore();
  private final StringWriter log = new StringWriter();
  private KnockServer server;
  private Thread running;

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null) {
      server.stop();
      running.join(5_000);
    }
  }

  @Test
  void aLocalGrantIsPublishedAndAnotherHostsIsAppliedUntilItsOwnEnd() throws Exception {
    start(true);
    awaitTrue(() -> store.published.size() == 1, "the local grant published");
    assertEquals(new SharedGrant("default", 0, A, T + 30 * SECOND), store.published.get(0));

    store.receiver.received(new SharedGrant("default", 0, B, T + 10 * SECOND), "b");
    Door door = server.pipeline().doors().get(0);
    assertTrue(door.grants().isGranted(0, B, T + 10 * SECOND - 1));
    assertFalse(door.grants().isGranted(0, B, T + 10 * SECOND), "it ends at its own end, not 30 s from now");
    awaitTrue(() -> log().contains("shared-grant default 10.0.0.2 from b until 2026-11-18T11:06:50.000000000Z"),
        "the shared grant logged");
    clock.set(T + 10 * SECOND);
    awaitTrue(() -> log().contains("grant-expired default 10.0.0.2"), "it expires on this host's tick");
    assertEquals(1, store.published.size(), "another host's grant is not published again");
    assertEquals(1, server.fleetTotals().applied());
  }

  @Test
  void metricsCountWhatTheFleetDid() throws Exception {
    start(true);
    awaitTrue(() -> store.published.size() == 1, "the local grant published");
    store.receiver.received(new SharedGrant("default", 0, B, T + 10 * SECOND), "b");
    store.receiver.refused("bad-signature", "from 10.9.9.9");
    try (ServerMetrics metrics = ServerMetrics.start(MetricsAddress.parse("127.0.0.1:" + LiveHarness.freePort()),
        server, () -> 0)) {
      String page = scrape(metrics);
      for (String series : List.of("udpknock_fleet_grants_published_total 1.0", "udpknock_fleet_grants_applied_total 1.0",
          "udpknock_fleet_messages_refused_total{reason=\"bad-signature\"} 1.0", "udpknock_fleet_store_up 1.0",
          "udpknock_fleet_grants_dropped_total 0.0")) {
        assertTrue(page.contains(series), series + " in\n" + page);
      }
    }
  }

  private static String scrape(ServerMetrics metrics) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build();
    return client.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void aDoorThatIsNotSharedNeitherPublishesNorApplies() throws Exception {
    start(false);
    awaitTrue(() -> log().contains("granted default 10.0.0.1"), "the local grant");
    store.receiver.received(new SharedGrant("default", 0, B, T + 10 * SECOND), "b");
    store.receiver.received(new SharedGrant("no-such-door", 0, B, T + 10 * SECOND), "b");
    assertFalse(server.pipeline().doors().get(0).grants().isGranted(0, B, T));
    assertEquals(List.of(), store.published);
    assertEquals(0, server.fleetTotals().applied());
  }

  @Test
  void refusedMessagesAreLoggedAtAFewASecond() throws Exception {
    start(true);
    for (int i = 0; i < 20; i++) {
      store.receiver.refused("bad-signature", "from 10.9.9.9");
    }
    store.receiver.resumed(3, 0);
    store.receiver.lost("the store closed the connection");
    store.receiver.resumed(2, 1);
    server.stop();
    running.join(5_000);
    String text = log();
    assertEquals(5, text.lines().filter(line -> line.contains("grant-message-refused")).count(), text);
    assertTrue(text.contains("grant-store-connected store redis://10.0.0.5:6379/0 loaded 3"), text);
    assertTrue(text.contains("grant-store-lost store redis://10.0.0.5:6379/0 error the store closed the connection;"
        + " grants go on locally and are shared once it is back"), text);
    assertTrue(text.contains("grant-store-resumed store redis://10.0.0.5:6379/0 loaded 2 republished 1"), text);
    assertTrue(text.contains("summary (fleet): 1 published, 0 received, 0 applied, 20 refused (bad-signature 20),"
        + " 0 dropped"), text);
  }

  private void start(boolean shared) throws Exception {
    ServerConfig single = ServerConfig.singleDoor("fake0", SEQUENCE, 5 * SECOND, 1000, LiveHarness.freePort(),
        30 * SECOND, null, ServerConfig.DEFAULT_GREETING, true);
    ServerConfig config = new ServerConfig(single.settings().withFleet(new FleetSettings(
        URI.create("redis://10.0.0.5:6379/0"), null, null, new KnockKey(new byte[32]), "a")),
        single.doors().stream().map(door -> door.withSharing(shared ? Sharing.SHARED : Sharing.NONE)).toList());
    EventWriter writer = EventWriter.create(false, new PrintWriter(log, true));
    writer.setTimeDigits(9);
    server = new KnockServer(config, ScriptedSource.holding(config.captureFilter(), ScriptedSource.sequences(SEQUENCE, T, "10.0.0.1")), writer, clock::get,
        DoorGuards.NONE, store);
    running = new Thread(() -> {
      try {
        server.run("RAW");
      } catch (CaptureException e) {
        throw new IllegalStateException(e);
      }
      writer.summary(server.totals(), true, clock.get());
      writer.flush();
    });
    running.start();
    awaitTrue(() -> store.receiver != null, "the store started");
  }

  private String log() {
    synchronized (log) {
      return log.toString();
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 5 * SECOND;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 5 s: " + what);
      }
      Thread.sleep(5);
    }
  }

  /** Records what the server publishes, and hands the test the receiver to play the other hosts. */
  private static final class RecordingStore implements GrantStore {
    final List<SharedGrant> published = new CopyOnWriteArrayList<>();
    volatile Receiver receiver;
    private final AtomicLong refused = new AtomicLong();

    @Override
    public void start(Receiver delivered) {
      receiver = new Receiver() {
        @Override public void received(SharedGrant grant, String host) {
          delivered.received(grant, host);
        }

        @Override public void refused(String reason, String detail) {
          refused.incrementAndGet();
          delivered.refused(reason, detail);
        }

        @Override public void lost(String why) {
          delivered.lost(why);
        }

        @Override public void resumed(int loaded, int republished) {
          delivered.resumed(loaded, republished);
        }
      };
    }

    @Override
    public boolean publish(SharedGrant grant) {
      return published.add(grant);
    }

    @Override
    public FleetCounts counts() {
      return new FleetCounts(published.size(), 0, Map.of("bad-signature", refused.get()), 0, true);
    }

    @Override
    public void close() {}
  }
}
