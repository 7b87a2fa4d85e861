package org.udpknock.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.udpknock.core.Addresses;

/**
 * The worker between the capture thread and the kernel: a bounded queue the capture thread
 * never waits on, one element per source per transaction, the grant's remaining time. The
 * runner records the command texts in place of libnftables (the live test runs the real one).
 */
class KernelGrantsTest {
  private static final GuardedPort SERVICE = new GuardedPort("service", 2223);
  private static final NftTable TABLE = new NftTable("udpknock", List.of(SERVICE));
  private static final long SECOND = 1_000_000_000L;
  private static final long FE80_HI = 0xfe80_0000_0000_0000L;

  private final BlockingQueue<String> ran = new LinkedBlockingQueue<>();
  private final BlockingQueue<String> reports = new LinkedBlockingQueue<>();
  private final AtomicLong now = new AtomicLong(-5 * SECOND); // the monotonic clock may be negative
  private final CountDownLatch release = new CountDownLatch(1);
  private KernelGrants grants;

  @AfterEach
  void stopAndCheckNothingIsLeft() {
    release.countDown();
    if (grants != null) {
      grants.close();
    }
    assertEquals(List.of(), List.copyOf(reports), "reports not checked");
  }

  @Test
  void aFullQueueDropsTheGrantAndSaysSoButNeverBlocksTheCaller() throws Exception {
    grants = started(blockingRunner(), 4);
    grants.allow(0, v4(1), 0, 30 * SECOND);
    awaitRan(); // the worker is now inside the blocked runner, holding grant 1
    long start = System.nanoTime();
    for (int i = 2; i <= 7; i++) {
      grants.allow(0, v4(i), 0, 30 * SECOND); // 4 fit, 2 are dropped
    }
    assertTrue(System.nanoTime() - start < SECOND, "allow() waited on the worker");
    assertEquals(4, grants.queued());
    assertEquals("queue-full 1", take(reports)); // once, at the first drop, not per grant
    release.countDown();
    assertEquals("applied 10.0.0.1", take(reports));
    assertEquals("queue-full 2", take(reports)); // the total, after that batch
    String batch = awaitRan();
    assertTrue(batch.endsWith("{ 10.0.0.2 timeout 30000ms, 10.0.0.3 timeout 30000ms,"
        + " 10.0.0.4 timeout 30000ms, 10.0.0.5 timeout 30000ms }\n"), batch);
    for (int i = 2; i <= 5; i++) {
      assertEquals("applied 10.0.0." + i, take(reports));
    }
  }

  @Test
  void renewalsQueuedTogetherBecomeOneElementWithTheLatestTimeout() throws Exception {
    grants = started(blockingRunner(), 16);
    grants.allow(0, v4(9), 0, 30 * SECOND);
    awaitRan();
    grants.allow(0, v4(1), 0, 30 * SECOND);
    now.addAndGet(SECOND);
    grants.allow(0, v4(1), 0, 30 * SECOND); // the same source knocks again a second later
    release.countDown();
    assertEquals("applied 10.0.0.9", take(reports));
    String batch = awaitRan();
    assertEquals("""
        add element inet udpknock service_v4 { 10.0.0.1 timeout 1s }
        delete element inet udpknock service_v4 { 10.0.0.1 }
        add element inet udpknock service_v4 { 10.0.0.1 timeout 30000ms }
        """, batch);
    assertEquals("applied 10.0.0.1", take(reports));
  }

  @Test
  void theElementLastsWhatIsLeftOfTheGrantSoTheKernelExpiresItWithTheServer() throws Exception {
    grants = started(blockingRunner(), 16);
    grants.allow(0, v4(9), 0, 30 * SECOND);
    awaitRan();
    grants.allow(0, v4(1), 0, 30 * SECOND);
    grants.allow(0, v4(2), 0, SECOND);
    now.addAndGet(1_500_000_000L + 1); // the worker gets to them 1.5 s and 1 ns later
    release.countDown();
    assertEquals("applied 10.0.0.9", take(reports));
    String batch = awaitRan();
    assertTrue(batch.endsWith("add element inet udpknock service_v4 { 10.0.0.1 timeout 28500ms }\n"), batch);
    assertEquals("applied 10.0.0.1", take(reports)); // 10.0.0.2's grant is over already: not added
  }

  @Test
  void aLinkLocalSourceIsTiedToTheCaptureInterfaceOrNotLetThroughAtAll() throws Exception {
    grants = started(commands -> ran.add(commands), 16, () -> 5);
    grants.allow(FE80_HI, 0x1234, 0, 30 * SECOND);
    assertTrue(awaitRan().endsWith("add element inet udpknock service_ll { 5 . fe80::1234 timeout 30000ms }\n"));
    assertEquals("applied fe80::1234", take(reports));
    grants.allow(FE80_HI, 0x1234, 2, 30 * SECOND); // the grant's own interface wins
    assertTrue(awaitRan().endsWith("service_ll { 2 . fe80::1234 timeout 30000ms }\n"));
    assertEquals("applied fe80::1234", take(reports));
    grants.close();

    grants = started(commands -> ran.add(commands), 16, () -> 0); // capturing on 'any'
    grants.allow(FE80_HI, 0x1234, 0, 30 * SECOND);
    assertEquals("failed fe80::1234 a link-local source needs its interface; not let through", take(reports));
    grants.allow(0, v4(1), 0, 30 * SECOND);
    assertTrue(awaitRan().contains("10.0.0.1"));
    assertEquals("applied 10.0.0.1", take(reports));
  }

  @Test
  void aRefusedBatchIsRetriedOneByOneSoThatOneBadElementCostsOnlyItself() throws Exception {
    grants = new KernelGrants(TABLE, SERVICE, commands -> {
      awaitQuietly(release);
      ran.add(commands);
      if (commands.contains("10.0.0.66")) {
        throw new NftException("Could not process rule: No buffer space available");
      }
    }, listener(), () -> 0, now::get, 16);
    grants.allow(0, v4(1), 0, 30 * SECOND);
    grants.allow(0, v4(66), 0, 30 * SECOND);
    grants.allow(0, v4(3), 0, 30 * SECOND); // queued before the worker starts: one batch, before any warm-up
    grants.start();
    release.countDown();
    assertTrue(awaitRan().contains("10.0.0.1 timeout 30000ms, 10.0.0.66 timeout 30000ms, 10.0.0.3"));
    assertEquals("applied 10.0.0.1", take(reports));
    assertEquals("failed 10.0.0.66 Could not process rule: No buffer space available", take(reports));
    assertEquals("applied 10.0.0.3", take(reports));
  }

  private KernelGrants started(NftRunner runner, int capacity) throws InterruptedException {
    return started(runner, capacity, () -> 0);
  }

  private KernelGrants started(NftRunner runner, int capacity, java.util.function.IntSupplier interfaceIndex)
      throws InterruptedException {
    ran.clear();
    KernelGrants started = new KernelGrants(TABLE, SERVICE, runner, listener(), interfaceIndex, now::get, capacity).start();
    drainWarmUp(started);
    return started;
  }

  /**
   * The warm-up's transactions (text only: this runner has no direct path) add and delete 0.0.0.0
   * and leave nothing: no final add. All of them have run once awaitWarm returns.
   */
  private void drainWarmUp(KernelGrants started) throws InterruptedException {
    started.awaitWarm();
    assertEquals(KernelGrants.WARM_UP_ROUNDS, ran.size(), "warm-up transactions when awaitWarm returned");
    for (int i = 0; i < KernelGrants.WARM_UP_ROUNDS; i++) {
      assertIsWarmUp(take(ran));
    }
  }

  /** Started with a runner that records each transaction and holds it until released: returns once the first is held. */
  private KernelGrants startedWithEachRunHeld() throws InterruptedException {
    CountDownLatch firstRun = new CountDownLatch(1);
    KernelGrants started = new KernelGrants(TABLE, SERVICE, commands -> {
      ran.add(commands);
      firstRun.countDown();
      awaitQuietly(release);
    }, listener(), () -> 0, now::get, 16).start();
    assertTrue(firstRun.await(5, TimeUnit.SECONDS), "the warm-up's first transaction");
    return started;
  }

  private static void assertIsWarmUp(String commands) {
    assertTrue(commands.contains("0.0.0.0") && !commands.contains("timeout 1000ms"), commands);
    assertTrue(commands.endsWith("delete element inet udpknock service_v4 { 0.0.0.0 }\n"), commands);
  }

  /** The server waits for the warm-up before it says it listens: awaitWarm returns only at its end. */
  @Test
  void awaitWarmReturnsOnceTheWarmUpIsOver() throws Exception {
    grants = startedWithEachRunHeld();
    Thread waiter = new Thread(grants::awaitWarm);
    waiter.start();
    waiter.join(200);
    assertTrue(waiter.isAlive(), "awaitWarm returned while the warm-up was held in its first round");
    release.countDown();
    waiter.join(5_000);
    assertEquals(KernelGrants.WARM_UP_ROUNDS, ran.size());
  }

  /** A grant that comes during the warm-up goes first: the warm-up stops after the round under way. */
  @Test
  void aGrantDuringTheWarmUpStopsIt() throws Exception {
    grants = startedWithEachRunHeld();
    grants.allow(0, v4(1), 0, 30 * SECOND);
    release.countDown();
    assertIsWarmUp(take(ran));
    assertTrue(take(ran).endsWith("add element inet udpknock service_v4 { 10.0.0.1 timeout 30000ms }\n"));
    assertEquals("applied 10.0.0.1", take(reports));
    grants.awaitWarm();
    assertTrue(grants.isWarm(), "a warm-up cut short still ends: the server does not wait for it");
    assertEquals(List.of(), List.copyOf(ran), "no warm-up round after the grant");
  }

  /** Records every transaction; the warm-up's pass, then each grant's waits until released. */
  private NftRunner blockingRunner() {
    return commands -> {
      ran.add(commands);
      if (!commands.contains("0.0.0.0")) {
        awaitQuietly(release);
      }
    };
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private KernelGrants.Listener listener() {
    return new KernelGrants.Listener() {
      @Override
      public void applied(String source, long delayNanos) {
        reports.add("applied " + source);
      }

      @Override
      public void failed(String source, String why) {
        reports.add("failed " + source + " " + why);
      }

      @Override
      public void queueFull(long droppedTotal) {
        reports.add("queue-full " + droppedTotal);
      }
    };
  }

  private String awaitRan() throws InterruptedException {
    return take(ran);
  }

  private static String take(BlockingQueue<String> queue) throws InterruptedException {
    String item = queue.poll(5, TimeUnit.SECONDS);
    if (item == null) {
      fail("nothing within 5 s");
    }
    return item;
  }

  private static long v4(int last) {
    return Addresses.ipv4Lo(0x0A000000 | last);
  }
}
