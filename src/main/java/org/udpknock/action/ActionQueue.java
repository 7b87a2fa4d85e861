package org.udpknock.action;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;
import org.udpknock.server.WakeupSlice;

/**
 * Hands grants to the doors' actions, which run on one thread of their own: the capture thread
 * only {@link #offerOpened offers} (a full queue drops the hand-off and counts it; it never
 * waits), the timer {@link #putClosed puts} (it may wait, the capture never does). The one
 * consumer parks when the queue is empty, and an offer unparks it only then ({@link
 * LockSupport}, no lock or condition on the way), so a grant reaches its action within tens of
 * microseconds, in the order decided.
 */
public final class ActionQueue implements AutoCloseable {
  public static final int DEFAULT_CAPACITY = 4096;
  private static final long JOIN_MILLIS = 500;
  /**
   * After each task the consumer polls this long before it parks: the next hand-off of a burst
   * (a grant right after the start's warm-up hand-off, a grant after its reset) is then taken
   * without a wake-up, which under load waits for the scheduler. Bounded, so idle costs nothing.
   */
  static final long SPIN_NANOS = 50_000;

  /** What went wrong on the action thread; called there, or on the offering thread for drops. */
  public interface Failures {
    /** An action threw: logged, and the next hand-off goes on. */
    void failed(DoorAction action, RuntimeException failure);

    /** The first hand-off dropped since the last report, then the running total. */
    void dropped(long droppedTotal);
  }

  private enum Kind { OPENED, OPENED_AFTER_KERNEL, OPENED_ELSEWHERE, CLOSED, CLOSE_ACTION, BARRIER }

  private record Task(DoorAction action, Kind kind, long sourceHi, long sourceLo, long expiresAtNanos) {
    void run() {
      switch (kind) {
        case OPENED -> action.opened(sourceHi, sourceLo, expiresAtNanos);
        case OPENED_AFTER_KERNEL -> action.openedAfterKernel(sourceHi, sourceLo, expiresAtNanos);
        case OPENED_ELSEWHERE -> action.openedElsewhere(sourceHi, sourceLo, expiresAtNanos);
        case CLOSED -> action.closed(sourceHi, sourceLo);
        case CLOSE_ACTION -> action.close();
        case BARRIER -> action.close(); // Counts the waiter's latch down: all before it has run.
      }
    }
  }

  private static final Task STOP = new Task(null, Kind.CLOSED, 0, 0, 0);

  private final BlockingQueue<Task> queue;
  private final Failures failures;
  private final AtomicLong dropped = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicBoolean dropReported = new java.util.concurrent.atomic.AtomicBoolean();
  private final Thread thread;
  /** Set by the consumer before it parks, so a producer unparks it only when it must. */
  private volatile boolean parked;
  private volatile boolean stopping;
  private long droppedReported;

  public ActionQueue(int capacity, Failures failures) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.failures = failures;
    this.thread = new Thread(this::work, "udpknock-actions");
    thread.setDaemon(true);
  }

  public ActionQueue start() {
    thread.start();
    return this;
  }

  /**
   * From the capture thread, once {@code action}'s {@link DoorAction#openingInKernel} has run:
   * never waits; false when the queue was full and the rest of the grant's action is lost.
   */
  public boolean offerOpened(DoorAction action, long sourceHi, long sourceLo, long expiresAtNanos) {
    return offer(new Task(action, Kind.OPENED_AFTER_KERNEL, sourceHi, sourceLo, expiresAtNanos));
  }

  /** From the capture thread (an eviction): never waits. */
  public boolean offerClosed(DoorAction action, long sourceHi, long sourceLo) {
    return offer(new Task(action, Kind.CLOSED, sourceHi, sourceLo, 0));
  }

  /** From the timer: waits for room, so no end of a grant is lost. */
  public void putClosed(DoorAction action, long sourceHi, long sourceLo) throws InterruptedException {
    queue.put(new Task(action, Kind.CLOSED, sourceHi, sourceLo, 0));
    wake();
  }

  /** From a reload: waits for room, and opens {@code action} to a grant that a previous action of its door held. */
  public void putOpened(DoorAction action, long sourceHi, long sourceLo, long expiresAtNanos) throws InterruptedException {
    queue.put(new Task(action, Kind.OPENED, sourceHi, sourceLo, expiresAtNanos));
    wake();
  }

  /** From the fleet's thread: waits for room, and opens {@code action} to a grant another host made. */
  public void putOpenedElsewhere(DoorAction action, long sourceHi, long sourceLo, long expiresAtNanos)
      throws InterruptedException {
    queue.put(new Task(action, Kind.OPENED_ELSEWHERE, sourceHi, sourceLo, expiresAtNanos));
    wake();
  }

  /** From a reload: closes {@code action} on the action thread, after what was queued for it before. */
  public void putCloseAction(DoorAction action) throws InterruptedException {
    queue.put(new Task(action, Kind.CLOSE_ACTION, 0, 0, 0));
    wake();
  }

  /**
   * From a reload: waits, a bounded time, until the action thread has run everything queued
   * before this call, so that "reloaded" is said once the new doors' actions are in place.
   *
   * @return false when the time ran out
   */
  public boolean awaitQueued(long timeoutMillis) throws InterruptedException {
    java.util.concurrent.CountDownLatch passed = new java.util.concurrent.CountDownLatch(1);
    queue.put(new Task(new Barrier(passed), Kind.BARRIER, 0, 0, 0));
    wake();
    return passed.await(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** A task that only marks its place in the queue: the action thread counts it down as it passes. */
  private record Barrier(java.util.concurrent.CountDownLatch passed) implements DoorAction {
    @Override public void start() {}

    @Override public void opened(long sourceHi, long sourceLo, long expiresAtNanos) {}

    @Override public void closed(long sourceHi, long sourceLo) {}

    @Override public void close() {
      passed.countDown();
    }
  }

  private boolean offer(Task task) {
    if (queue.offer(task)) {
      wake();
      return true;
    }
    long total = dropped.incrementAndGet();
    if (dropReported.compareAndSet(false, true)) {
      failures.dropped(total);
    }
    return false;
  }

  /** Hand-offs waiting for the action thread. */
  public int pending() {
    return queue.size();
  }

  private void wake() {
    if (parked) {
      LockSupport.unpark(thread);
    }
  }

  private void work() {
    WakeupSlice.shortenForCallingThread();
    while (true) {
      Task task = next();
      if (task == STOP) {
        return;
      }
      runSafely(task);
      reportDrops();
    }
  }

  /** The next task, parking while there is none: a producer sees {@code parked} or its task is seen. */
  private Task next() {
    Task task = spinPoll();
    while (task == null) {
      parked = true;
      task = queue.poll();
      if (task == null) {
        if (stopping) {
          return STOP;
        }
        LockSupport.park(this);
      }
      parked = false;
    }
    return task;
  }

  /** The next task if one comes within {@link #SPIN_NANOS}; null then. */
  private Task spinPoll() {
    Task task = queue.poll();
    long deadline = System.nanoTime() + SPIN_NANOS;
    while (task == null && !stopping && System.nanoTime() - deadline < 0) {
      Thread.onSpinWait();
      task = queue.poll();
    }
    return task;
  }

  private void runSafely(Task task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      failures.failed(task.action(), e);
    }
  }

  private void reportDrops() {
    long total = dropped.get();
    if (total != droppedReported) {
      failures.dropped(total);
      droppedReported = total;
      dropReported.set(false);
    }
  }

  /** Runs what is queued, then stops the thread, waiting a bounded time. Closes no action. */
  @Override
  public void close() {
    try {
      if (!queue.offer(STOP, JOIN_MILLIS, TimeUnit.MILLISECONDS)) {
        stopping = true; // Full and stuck: stop once what is queued has run.
      }
      LockSupport.unpark(thread);
      thread.join(JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
