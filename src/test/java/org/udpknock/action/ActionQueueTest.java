package org.udpknock.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The capture thread hands grants over and never waits, even when the actions are stuck. */
class ActionQueueTest {
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final List<Long> drops = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final CountDownLatch inside = new CountDownLatch(1);

  /** Blocks in its first opened() until released: an action stuck on a socket or a process. */
  private final DoorAction stuck = new DoorAction() {
    @Override public void start() {}

    @Override public void opened(long hi, long lo, long expiresAt) {
      calls.add("opened " + lo);
      inside.countDown();
      await(release);
    }

    @Override public void closed(long hi, long lo) {
      calls.add("closed " + lo);
    }

    @Override public void close() {}
  };

  private final ActionQueue.Failures failures = new ActionQueue.Failures() {
    @Override public void failed(DoorAction action, RuntimeException failure) {
      calls.add("failed " + failure.getMessage());
    }

    @Override public void dropped(long total) {
      drops.add(total);
    }
  };

  /**
   * Was: a reload logged "reloaded" while the old action's close and the new one's grants still
   * waited on the action thread, so a client could be greeted by the old action after it.
   */
  @Test
  void awaitQueuedReturnsOnlyOnceEverythingQueuedBeforeHasRun() throws Exception {
    ActionQueue queue = new ActionQueue(8, failures).start();
    assertTrue(queue.offerOpened(stuck, 0, 1, 0));
    assertTrue(inside.await(5, TimeUnit.SECONDS));
    assertTrue(queue.offerClosed(stuck, 0, 2));
    assertFalse(queue.awaitQueued(50), "the stuck action holds what follows it");
    release.countDown();
    assertTrue(queue.awaitQueued(5_000));
    assertEquals(List.of("opened 1", "closed 2"), calls);
    queue.close();
  }

  /** The consumer spins a bounded while after a task, then parks: an idle server burns no CPU. */
  @Test
  void afterATaskTheActionThreadSpinsBrieflyThenParks() throws Exception {
    ActionQueue queue = new ActionQueue(8, failures).start();
    assertTrue(queue.awaitQueued(5_000));
    Thread consumer = Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().equals("udpknock-actions")).findFirst().orElseThrow();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (consumer.getState() != Thread.State.WAITING) { // bounded poll: parked, not spinning
      assertTrue(System.nanoTime() < deadline, "still " + consumer.getState() + " after 5 s: it never parks");
      Thread.sleep(1);
    }
    queue.close();
  }

  @Test
  void aFullQueueDropsAndCountsWithoutWaitingAndTheRestRunInOrder() throws Exception {
    ActionQueue queue = new ActionQueue(2, failures).start();
    assertTrue(queue.offerOpened(stuck, 0, 1, 0));
    assertTrue(inside.await(5, TimeUnit.SECONDS));
    assertTrue(queue.offerOpened(stuck, 0, 2, 0));
    assertTrue(queue.offerClosed(stuck, 0, 3));
    long before = System.nanoTime();
    assertFalse(queue.offerOpened(stuck, 0, 4, 0), "full: dropped");
    assertTrue(System.nanoTime() - before < 100_000_000L, "the offer did not wait");
    assertEquals(List.of(1L), drops, "the first drop is reported at once");
    release.countDown();
    queue.close();
    assertEquals(List.of("opened 1", "opened 2", "closed 3"), calls);
    assertEquals(1L, drops.get(drops.size() - 1));
  }

  @Test
  void anActionThatThrowsIsReportedAndTheNextHandOffRuns() throws Exception {
    DoorAction failing = new DoorAction() {
      @Override public void start() {}

      @Override public void opened(long hi, long lo, long expiresAt) {
        throw new IllegalStateException("boom " + lo);
      }

      @Override public void closed(long hi, long lo) {
        calls.add("closed " + lo);
      }

      @Override public void close() {}
    };
    ActionQueue queue = new ActionQueue(8, failures).start();
    queue.offerOpened(failing, 0, 1, 0);
    queue.putClosed(failing, 0, 2);
    queue.close();
    assertEquals(List.of("failed boom 1", "closed 2"), calls);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
