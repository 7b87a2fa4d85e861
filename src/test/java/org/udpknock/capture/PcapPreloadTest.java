package org.udpknock.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The server's preload of libpcap runs beside its start, and every use of libpcap waits for it. */
class PcapPreloadTest {
  @Test
  void libraryUseWaitsUntilThePreloadAndItsWarmUpHaveRun() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean warmedUp = new AtomicBoolean();
    AtomicReference<String> warmUpThread = new AtomicReference<>();
    Pcap.preload(() -> {
      warmUpThread.set(Thread.currentThread().getName());
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      warmedUp.set(true);
    });
    AtomicBoolean sawWarmUpDone = new AtomicBoolean();
    Thread user = new Thread(() -> {
      try {
        Pcap.libraryVersion();
      } catch (Exception e) {
        // The assertion below says it.
      }
      sawWarmUpDone.set(warmedUp.get());
    });
    user.start();
    awaitWaiting(user);
    assertTrue(user.isAlive(), "libraryVersion returned while the preload ran");
    release.countDown();
    user.join(10_000);
    assertFalse(user.isAlive());
    assertTrue(sawWarmUpDone.get(), "libraryVersion returned before the preload's warm-up ended");
    assertEquals("libpcap-preload", warmUpThread.get());
  }

  /** Bounded poll: until the thread waits (on the preload), or 10 s. */
  private static void awaitWaiting(Thread thread) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (thread.getState() != Thread.State.WAITING && thread.isAlive() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }
}
