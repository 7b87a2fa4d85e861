package org.udpknock.server;

import java.util.concurrent.CountDownLatch;

/**
 * Waits that an interrupt does not cut short: a start-up step that must have run before the
 * next one, whoever interrupts. The interrupt is kept for the caller.
 */
public final class Uninterruptibly {
  private Uninterruptibly() {}

  /** Returns once {@code thread} has ended. */
  public static void join(Thread thread) {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    keep(interrupted);
  }

  /** Returns once {@code latch} is at zero. */
  public static void await(CountDownLatch latch) {
    boolean interrupted = false;
    while (latch.getCount() > 0) {
      try {
        latch.await();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    keep(interrupted);
  }

  private static void keep(boolean interrupted) {
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
