package org.udpknock.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.fleet.RedisProcess;

/** scripts/bench fleet's floor, against a real redis-server on loopback. */
class PubSubFloorTest {
  private static final long SECOND = 1_000_000_000L;

  @TempDir
  Path directory;
  private RedisProcess redis;

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisProcess.onLoopback(directory);
  }

  @AfterEach
  void stopRedis() throws Exception {
    redis.close();
  }

  @Test
  void aMessageHasExactlyTheSizeAskedAndCarriesItsStamp() {
    String message = PubSubFloor.message(7, 1_796_180_755_020_798_237L, 152);
    assertEquals(152, message.length());
    assertEquals("7 1796180755020798237 1796180755020799000", PubSubFloor.receivedLine(message, 1_796_180_755_020_799_000L));
    assertNull(PubSubFloor.receivedLine("udpknock-grant/1 a b c d e f g", 1));
  }

  @Test
  void everyMessagePublishedIsReceivedOnceInOrderAfterItsStamp() throws Exception {
    URI store = URI.create("redis://127.0.0.1:" + redis.port() + "/0");
    StringWriter lines = new StringWriter();
    CountDownLatch subscribed = new CountDownLatch(1);
    AtomicInteger received = new AtomicInteger(-1);
    Thread subscriber = new Thread(() -> received.set(subscribeQuietly(store, lines, subscribed)));
    subscriber.start();
    assertTrue(subscribed.await(10, TimeUnit.SECONDS), "subscribed within 10 s");
    assertEquals(1, new PubSubFloor(store, "floor-test").publish(50, 160, 1_000_000));
    subscriber.join(TimeUnit.SECONDS.toMillis(10));

    assertFalse(subscriber.isAlive(), "the subscriber stops at its last message, not at its 30 s timeout");
    assertEquals(50, received.get());
    String[] rows = lines.toString().strip().split("\n");
    assertEquals(50, rows.length);
    for (int i = 0; i < rows.length; i++) {
      String[] row = rows[i].strip().split(" ");
      assertEquals(String.valueOf(i), row[0]);
      long latency = Long.parseLong(row[2]) - Long.parseLong(row[1]);
      assertTrue(latency >= 0 && latency < 5 * SECOND, "one-way time " + latency + " ns");
    }
  }

  @Test
  void aSubscriberStopsAtItsTimeoutWithWhatCame() throws Exception {
    URI store = URI.create("redis://127.0.0.1:" + redis.port() + "/0");
    long start = System.nanoTime();
    int received = new PubSubFloor(store, "floor-test").subscribe(5, SECOND / 2, new PrintWriter(new StringWriter()), () -> { });
    assertEquals(0, received);
    assertTrue(System.nanoTime() - start < 5 * SECOND, "stopped near its timeout");
  }

  private static int subscribeQuietly(URI store, StringWriter lines, CountDownLatch subscribed) {
    try {
      return new PubSubFloor(store, "floor-test").subscribe(50, 30 * SECOND, new PrintWriter(lines), subscribed::countDown);
    } catch (InterruptedException e) {
      return -2;
    }
  }
}
