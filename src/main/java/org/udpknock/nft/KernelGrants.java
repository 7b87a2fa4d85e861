package org.udpknock.nft;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.udpknock.core.Addresses;
import org.udpknock.server.AccessControl;
import org.udpknock.server.WakeupSlice;

/**
 * Puts grants into the kernel's sets. The capture thread only offers a grant to a bounded
 * queue (a full queue drops it and says so; the capture thread never waits); one worker thread
 * takes what is queued, keeps the latest grant per source, and applies them all as one nft
 * transaction. Each element carries the grant's remaining time, so the kernel expires it when
 * the server's own table does.
 */
public final class KernelGrants implements AccessControl {
  public static final int DEFAULT_QUEUE_CAPACITY = 4096;
  /** Grants applied in one transaction at most: a flood of grants still moves in large steps. */
  static final int MAX_BATCH = 256;
  private static final long JOIN_MILLIS = 500;
  /**
   * Rounds of a grant's path at start: past the 200th call of a method, after which the JIT (C1,
   * the server's only compiler) compiles it, and past the 256th, as the interpreter tells the JIT
   * its counts every 128 calls (Tier0InvokeNotifyFreqLog): with 250, a method called once a round
   * was compiled at the 6th grant. With 20, the path ran interpreted through the first grants,
   * and each method that reached its threshold woke the compiler threads, which took the CPU from
   * the worker in the middle of a grant (a kernel trace of scripts/bench race).
   */
  static final int WARM_UP_ROUNDS = 300;
  /** Rounds of them through libnftables' text too, which takes a grant netlink's path cannot. */
  private static final int TEXT_WARM_UP_ROUNDS = 5;
  /** The most the server waits for the warm-up before it says it listens. */
  private static final long WARM_UP_WAIT_MILLIS = 2_000;

  /** What the worker reports; called on the worker thread, but {@link #queueFull} on the caller's. */
  public interface Listener {
    /** The source is in the kernel's set, {@code delayNanos} after its grant was offered. */
    void applied(String source, long delayNanos);

    void failed(String source, String why);

    /** The first grant dropped since the last report, then the running total after each batch. */
    void queueFull(long droppedTotal);
  }

  private record Pending(long hi, long lo, int interfaceIndex, long durationNanos, long offeredAtNanos) {}

  /**
   * A source's key in a batch. Not a record: a record's equals and hashCode are bound by
   * invokedynamic at their first call, and that binding (method handles spun at run time, which no
   * class-data archive holds) took about 40 ms of this thread's warm-up, on the way to 'listening'.
   */
  private static final class Source {
    private final long hi;
    private final long lo;
    private final int interfaceIndex;

    Source(long hi, long lo, int interfaceIndex) {
      this.hi = hi;
      this.lo = lo;
      this.interfaceIndex = interfaceIndex;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Source that && hi == that.hi && lo == that.lo && interfaceIndex == that.interfaceIndex;
    }

    @Override
    public int hashCode() {
      return (Long.hashCode(hi) * 31 + Long.hashCode(lo)) * 31 + interfaceIndex;
    }
  }

  private final NftTable table;
  private final GuardedPort port;
  private final NftRunner nft;
  private final Listener listener;
  private final IntSupplier defaultInterfaceIndex;
  private final LongSupplier nanoTime;
  private final BlockingQueue<Pending> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicBoolean dropReported = new AtomicBoolean();
  private final CountDownLatch warm = new CountDownLatch(1);
  private final Thread worker;
  private volatile boolean stopping;
  private long droppedReported;

  /**
   * {@code defaultInterfaceIndex} gives, on the worker thread, the interface of a link-local
   * grant that came without one (the capture interface's index, or 0 when it is {@code any}).
   */
  public KernelGrants(NftTable table, GuardedPort port, NftRunner nft, Listener listener,
      IntSupplier defaultInterfaceIndex, LongSupplier nanoTime, int queueCapacity) {
    this.table = table;
    this.port = port;
    this.nft = nft;
    this.listener = listener;
    this.defaultInterfaceIndex = defaultInterfaceIndex;
    this.nanoTime = nanoTime;
    this.queue = new ArrayBlockingQueue<>(queueCapacity);
    this.worker = new Thread(this::work, "udpknock-nft");
    worker.setDaemon(true);
  }

  public KernelGrants start() {
    worker.start();
    return this;
  }

  @Override
  public void allow(long sourceHi, long sourceLo, int interfaceIndex, long durationNanos) {
    if (stopping) {
      return;
    }
    if (!queue.offer(new Pending(sourceHi, sourceLo, interfaceIndex, durationNanos, nanoTime.getAsLong()))) {
      long total = dropped.incrementAndGet();
      if (dropReported.compareAndSet(false, true)) {
        listener.queueFull(total);
      }
    }
  }

  @Override
  public boolean guardsServicePort() {
    return true;
  }

  @Override
  public void awaitWarm() {
    try {
      warm.await(WARM_UP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the warm-up has ended (run through, cut short by a grant, or failed). */
  boolean isWarm() {
    return warm.getCount() == 0;
  }

  /** Grants still queued are dropped: the kernel keeps what it has, and nothing else is opened. */
  @Override
  public void close() {
    stopping = true;
    worker.interrupt();
    try {
      worker.join(JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!worker.isAlive() && nft instanceof AutoCloseable closeable) {
      closeQuietly(closeable); // Never under a worker still inside libnftables.
    }
  }

  /** Grants waiting for the worker. */
  int queued() {
    return queue.size();
  }

  private void work() {
    List<Pending> batch = new ArrayList<>(MAX_BATCH);
    WakeupSlice.shortenForCallingThread();
    try {
      warmUp(batch);
      while (!stopping) {
        applyNext(batch);
      }
    } catch (InterruptedException e) {
      // close(): stop
    }
  }

  /** Waits for a grant, then applies it with every other one queued; returns how many it took. */
  private int applyNext(List<Pending> batch) throws InterruptedException {
    batch.add(queue.take());
    queue.drainTo(batch, MAX_BATCH - 1);
    int taken = batch.size();
    applySafely(batch);
    batch.clear();
    reportDrops();
    return taken;
  }

  /**
   * The first grants would cost milliseconds more (JNA's binding, libnftables' first parse, the
   * JVM's first record hash and lambdas, code not compiled yet): paid here, on the grant's own
   * path, with an address no packet comes from (0.0.0.0), added and deleted at once, so no
   * element is left behind. A grant that comes meanwhile goes first: the warm-up stops.
   */
  private void warmUp(List<Pending> batch) throws InterruptedException {
    try {
      boolean direct = true;
      for (int i = 0; i < WARM_UP_ROUNDS && !stopping && queue.isEmpty(); i++) {
        if ((i < TEXT_WARM_UP_ROUNDS || !direct) && !warmText()) {
          return;
        }
        direct = direct && nft.warmDirect(table.name(), port);
        // Both halves of the queue's path too: the capture thread's offer, the worker's take. The
        // grant is over already, so nothing reaches the kernel; real grants queued meanwhile are
        // taken with it, applied, and end the warm-up.
        allow(0, Addresses.ipv4Lo(0), 0, 0);
        if (applyNext(batch) > 1) {
          return;
        }
      }
    } finally {
      warm.countDown();
    }
  }

  /** One round through libnftables' text: 0.0.0.0 added and deleted; false if nft refused it. */
  private boolean warmText() {
    Allowance allowance = new Allowance(0, Addresses.ipv4Lo(0), 0, 1_000);
    String commands = table.allowCommands(port, List.of(allowance));
    try {
      nft.run(commands.substring(0, commands.lastIndexOf("add element")));
      return true;
    } catch (NftException e) {
      listener.failed("0.0.0.0", "warm-up: " + e.getMessage());
      return false;
    }
  }

  private void applySafely(List<Pending> batch) {
    try {
      apply(coalesce(batch));
    } catch (RuntimeException e) {
      listener.failed("(batch of " + batch.size() + ")", e.toString());
    }
  }

  /** The latest grant of each source wins: one element per source, never duplicates. */
  private Map<Source, Pending> coalesce(List<Pending> batch) {
    Map<Source, Pending> latest = new LinkedHashMap<>();
    for (Pending pending : batch) {
      int index = pending.interfaceIndex();
      latest.put(new Source(pending.hi(), pending.lo(), index), pending);
    }
    return latest;
  }

  private void apply(Map<Source, Pending> grants) {
    List<Allowance> allowances = new ArrayList<>(grants.size());
    List<Pending> applied = new ArrayList<>(grants.size());
    long now = nanoTime.getAsLong();
    for (Pending pending : grants.values()) {
      Allowance allowance = allowance(pending, now);
      if (allowance != null) {
        allowances.add(allowance);
        applied.add(pending);
      }
    }
    if (allowances.isEmpty()) {
      return;
    }
    try {
      if (!nft.allowDirect(table.name(), port, allowances)) {
        nft.run(table.allowCommands(port, allowances));
      }
      reportApplied(allowances, applied);
    } catch (NftException e) {
      applyOneByOne(allowances, applied); // One bad element fails the transaction: find it.
    }
  }

  private void applyOneByOne(List<Allowance> allowances, List<Pending> pendings) {
    for (int i = 0; i < allowances.size(); i++) {
      try {
        nft.run(table.allowCommands(port, List.of(allowances.get(i))));
        reportApplied(List.of(allowances.get(i)), List.of(pendings.get(i)));
      } catch (NftException e) {
        listener.failed(allowances.get(i).source(), e.getMessage());
      }
    }
  }

  /** The element lasts what is left of the grant (rounded up to a millisecond); null when it is over or unplaceable. */
  private Allowance allowance(Pending pending, long now) {
    long leftNanos = pending.durationNanos() - (now - pending.offeredAtNanos());
    if (leftNanos <= 0) {
      return null;
    }
    long millis = (leftNanos + 999_999) / 1_000_000;
    Allowance allowance = new Allowance(pending.hi(), pending.lo(), pending.interfaceIndex(), millis);
    if (!allowance.isLinkLocal() || allowance.interfaceIndex() != 0) {
      return allowance;
    }
    int index = defaultInterfaceIndex.getAsInt();
    if (index <= 0) {
      listener.failed(allowance.source(), "a link-local source needs its interface; not let through");
      return null;
    }
    return new Allowance(pending.hi(), pending.lo(), index, millis);
  }

  private void reportApplied(List<Allowance> allowances, List<Pending> pendings) {
    long now = nanoTime.getAsLong();
    for (int i = 0; i < allowances.size(); i++) {
      listener.applied(allowances.get(i).source(), now - pendings.get(i).offeredAtNanos());
    }
  }

  private void reportDrops() {
    long total = dropped.get();
    if (total != droppedReported) {
      droppedReported = total;
      listener.queueFull(total);
      dropReported.set(false);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // Freeing the context at shutdown: nothing to act on.
    }
  }
}
