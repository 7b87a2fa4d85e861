package org.udpknock.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The server's preload of libpcap runs beside its start: every use of libpcap waits for the
 * library, and opening a capture waits for the preload's warm-up too, which listing the devices
 * (the server's check of its interface) need not.
 */
class PcapPreloadTest {
  @Test
  void theLibraryIsUsableWhileTheWarmUpRuns_andAwaitPreloadWaitsForIt() throws Exception {
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
    try {
      assertFalse(Pcap.libraryVersion().isEmpty(), "the library's version, while the warm-up still runs");
      assertFalse(warmedUp.get(), "libraryVersion waited for the warm-up");
      AtomicBoolean sawWarmUpDone = new AtomicBoolean();
      Thread opener = new Thread(() -> {
        Pcap.awaitPreload();
        sawWarmUpDone.set(warmedUp.get());
      });
      opener.start();
      awaitWaiting(opener);
      assertTrue(opener.isAlive(), "awaitPreload returned while the warm-up ran");
      release.countDown();
      opener.join(10_000);
      assertFalse(opener.isAlive());
      assertTrue(sawWarmUpDone.get(), "awaitPreload returned before the preload's warm-up ended");
      assertEquals("libpcap-preload", warmUpThread.get());
    } finally {
      release.countDown();
    }
  }

  /** Bounded poll: until the thread waits (on the preload), or 10 s. */
  private static void awaitWaiting(Thread thread) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (thread.getState() != Thread.State.WAITING && thread.isAlive() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }
}
