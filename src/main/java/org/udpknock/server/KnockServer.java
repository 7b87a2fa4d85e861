package org.udpknock.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.udpknock.auth.KnockVerifier;
import org.udpknock.auth.Verdict;
import org.udpknock.core.Addresses;
import org.udpknock.core.GrantTable;
import org.udpknock.core.KnockEngine;
import org.udpknock.core.KnockListener;
import org.udpknock.core.ResetReason;
import org.udpknock.pipeline.DestinationFilter;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.pipeline.Ingress;
import org.udpknock.report.EventOutput;
import org.udpknock.report.EventWriter;
import org.udpknock.report.Totals;

/**
 * The live server: frames from a {@link PacketSource} go through the pipeline on the capture
 * thread; grants open the {@link ServiceListener}; a timer thread expires grants, closes the
 * listener when none is left, refreshes local addresses and reports kernel drops.
 */
public final class KnockServer {
  /** How often grants are checked for expiry: the listener closes at most this late. */
  private static final long TICK_MILLIS = 20;
  private static final long STATS_EVERY_TICKS = 5_000 / TICK_MILLIS;
  private static final long ADDRESSES_EVERY_TICKS = 10_000 / TICK_MILLIS;
  /**
   * Grants expired per call to the table, and calls per tick: the table's lock is held for one
   * batch at a time (tens of microseconds), so a grant from the capture thread never waits
   * behind a whole tick's expiry, and a tick expires up to 4096 grants (200,000 a second), more
   * than the capture can grant.
   */
  private static final int EXPIRY_BATCH = 64;
  private static final int EXPIRY_BATCHES_PER_TICK = 64;

  private final ServerConfig config;
  private final PacketSource source;
  private final EventWriter writer;
  private final ServerEvents events;
  private final Clock clock;
  private final GrantTable grants;
  private final ServiceListener listener;
  private final LocalAddresses localAddresses;
  private final FramePipeline pipeline;
  private final AccessControl access;
  /** Wall time at construction: authenticated mode's start bound. */
  private final long startNanos;
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicLong packetErrors = new AtomicLong();
  /**
   * Held around the open/close decision of the listener only: opening after a grant, or closing
   * when no grant is left, so a new grant never finds the port closed. Never around logging or
   * the table's work.
   */
  private final Object gate = new Object();
  private volatile boolean logKnockProgress = true;
  private volatile LogWatch logWatch;
  private long ticks;
  private long reportedDrops;

  public KnockServer(ServerConfig config, PacketSource source, EventWriter writer, Clock clock) {
    this(config, source, writer, clock, AccessControl.NONE);
  }

  /** With {@code access} told of every grant, e.g. the kernel's firewall. */
  public KnockServer(ServerConfig config, PacketSource source, EventWriter writer, Clock clock,
      AccessControl access) {
    this.config = config;
    this.access = access;
    this.source = source;
    this.writer = writer;
    this.clock = clock;
    this.events = new ServerEvents(writer, clock);
    this.grants = new GrantTable(config.serviceTimeoutNanos(), config.maxGrants());
    this.listener = new ServiceListener(config.bindAddress(), config.servicePort(), config.greeting(),
        this::isGranted, events, clock, config.greetingTimeoutNanos(), config.maxGreetingsInFlight());
    this.localAddresses = new LocalAddresses(); // Also names interfaces in link-local addresses.
    writer.setScopeNames(localAddresses::interfaceName);
    DestinationFilter destinations = config.anyDestination() ? DestinationFilter.ANY : localAddresses;
    KnockEngine engine = new KnockEngine(config.sequence(), config.guard(), config.sequenceTimeoutNanos(),
        config.maxSources(), new GrantingListener());
    this.startNanos = clock.nowNanos();
    this.pipeline = config.auth() == null ? new FramePipeline(engine, destinations)
        : new FramePipeline(engine, destinations, newVerifier(config, startNanos), this::logRejected);
  }

  /**
   * Refuses knocks stamped before this server's start + max-ahead: its nonce cache starts empty,
   * so it cannot tell them from copies of knocks an earlier run (stopped or crashed) accepted.
   * The start is wall time, the clock packet timestamps come from.
   */
  private static KnockVerifier newVerifier(ServerConfig config, long startNanos) {
    return config.auth().newVerifier(config.sequence(), startNanos);
  }

  /** Fails early when the service port is taken. */
  public static void checkServicePort(InetAddress bindAddress, int port) throws IOException {
    ServiceListener.checkAvailable(bindAddress, port);
  }

  /**
   * Captures until {@link #stop} (returns normally) or until the capture fails (throws).
   * Runs the capture on the calling thread.
   */
  public void run(String linkTypeName) throws CaptureException {
    Warmup.run(config.sequence());
    events.started(source.interfaceName(), linkTypeName, source.filter(), config.sequence().toString(),
        config.servicePort());
    if (config.auth() == null) { // A sweep carries no valid tag: it cannot knock in authenticated mode.
      SweepWarning.of(config.sequence()).ifPresent(events::warning);
    } else { // So that an admin understands a refused first knock.
      events.refusingUntil(config.auth().firstStampAfter(startNanos));
    }
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "udpknock-timer");
      thread.setDaemon(true);
      return thread;
    });
    timer.scheduleWithFixedDelay(this::tickSafely, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    try {
      openIfGuardedInKernel();
      source.run(new CountingSink());
    } catch (CaptureException e) {
      events.captureFailed(e.getMessage());
      throw e;
    } finally {
      timer.shutdownNow();
      awaitQuietly(timer);
      listener.close();
      reportDrops();
      writer.finishBlocked(clock.nowNanos());
      flushLog();
      finished.countDown();
    }
  }

  /** The kernel resets sources without a grant: the port can stay bound, so a grant opens it sooner. */
  private void openIfGuardedInKernel() {
    if (access.guardsServicePort()) {
      try {
        listener.open();
      } catch (IOException e) {
        events.listenerFailed(config.servicePort(), e.getMessage());
      }
    }
  }

  /** Stops the capture; {@link #run} then returns. Safe from any thread, e.g. a signal handler. */
  public void stop() {
    source.stop();
  }

  /** Waits until {@link #run} has returned. */
  public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
    return finished.await(timeout, unit);
  }

  public Totals totals() {
    LogWatch watch = logWatch;
    return Totals.ofCapture(pipeline, source.stats().dropped(), grants.evicted(), packetErrors.get(),
        watch == null ? 0 : watch.lostLines());
  }

  /**
   * Watches {@code output}, the log's, after each flush: when it fails, says so once on {@code err}
   * and counts the lines lost, and the server goes on granting.
   */
  public void watchLog(EventOutput output, PrintWriter err) {
    logWatch = new LogWatch(output, err, events);
  }

  /** At exit, after the summary: a log still failing is told on stderr with the count lost. */
  public void logAtExit() {
    LogWatch watch = logWatch;
    if (watch != null) {
      watch.atExit();
    }
  }

  /** SIGHUP: says that reload is not supported yet; the server goes on. Safe from any thread. */
  public void reloadAsked() {
    events.reloadUnsupported();
    writer.flush();
  }

  private void flushLog() {
    writer.flush();
    LogWatch watch = logWatch;
    if (watch != null) {
      watch.afterFlush();
    }
  }

  /** One bad packet never stops the capture: its failure is counted and logged, and the next one goes on. */
  private final class CountingSink implements FrameSink {
    @Override
    public void onFrame(long timeNanos, int linkType, byte[] data, int offset, int length) {
      onFrame(timeNanos, linkType, Ingress.UNKNOWN, data, offset, length);
    }

    @Override
    public void onFrame(long timeNanos, int linkType, Ingress ingress, byte[] data, int offset, int length) {
      try {
        pipeline.onFrame(timeNanos, linkType, ingress, data, offset, length);
      } catch (RuntimeException e) {
        frameFailed(e);
      }
    }

    @Override
    public void frameFailed(RuntimeException failure) {
      packetErrors.incrementAndGet();
      events.packetFailed(failure.toString());
    }
  }

  /** A refused knock is knock progress: hidden with it under --quiet. */
  private void logRejected(long timeNanos, long sourceHi, long sourceLo, int port, Verdict reason) {
    if (logKnockProgress) {
      writer.rejected(timeNanos, sourceHi, sourceLo, port, reason);
    }
  }

  /** Whether knock, reset and rejected events are logged; grants always are. */
  public void setLogKnockProgress(boolean log) {
    logKnockProgress = log;
  }

  public long packetErrors() {
    return packetErrors.get();
  }

  private boolean isGranted(InetAddress remote) {
    long[] key = LocalAddresses.key(remote);
    return grants.isGranted(key[0], key[1], clock.nowNanos());
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      events.timerFailed(e.toString());
    }
  }

  private void tick() {
    writer.summarizeBlocked(clock.nowNanos());
    flushLog(); // Log lines wait at most one tick, and a flood costs no system call per line.
    expireGrants(clock.nowNanos());
    synchronized (gate) {
      if (grants.size() == 0 && !access.guardsServicePort()) {
        listener.close();
      }
    }
    ticks++;
    if (ticks % STATS_EVERY_TICKS == 0) {
      reportDrops();
    }
    if (ticks % ADDRESSES_EVERY_TICKS == 0) {
      localAddresses.refresh();
    }
  }

  /** In batches, each logged after the table's lock is released. */
  private void expireGrants(long nowNanos) {
    for (int batch = 0; batch < EXPIRY_BATCHES_PER_TICK; batch++) {
      List<GrantTable.Removal> expired = grants.expire(nowNanos, EXPIRY_BATCH);
      expired.forEach(this::logRemoval);
      if (expired.size() < EXPIRY_BATCH) {
        return;
      }
    }
  }

  private void logRemoval(GrantTable.Removal removal) {
    String source = writer.address(removal.sourceHi(), removal.sourceLo());
    if (removal.evicted()) {
      events.grantEvicted(source, removal.atNanos());
    } else {
      events.grantExpired(source, removal.atNanos());
    }
  }

  private void reportDrops() {
    long dropped = source.stats().dropped();
    if (dropped > reportedDrops) {
      events.kernelDrops(dropped - reportedDrops, dropped);
      reportedDrops = dropped;
    }
  }

  private static void awaitQuietly(ScheduledExecutorService timer) {
    try {
      timer.awaitTermination(500, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Engine events go to the log; grants also open the service port. */
  private final class GrantingListener implements KnockListener {
    @Override
    public void knock(long timeNanos, long sourceHi, long sourceLo, int port, int stage) {
      if (logKnockProgress) {
        writer.knock(timeNanos, sourceHi, sourceLo, port, stage);
      }
    }

    @Override
    public void granted(long timeNanos, long sourceHi, long sourceLo) {
      allowInKernel(sourceHi, sourceLo); // First: the kernel's part takes longest.
      writer.granted(timeNanos, sourceHi, sourceLo);
      // From the packet's time, unless the clock is ahead of it: a grant never starts late.
      GrantTable.Removal madeRoom = grants.grant(sourceHi, sourceLo, Math.max(timeNanos, clock.nowNanos()));
      IOException openFailure = openListener();
      if (openFailure != null) {
        events.listenerFailed(config.servicePort(), openFailure.getMessage());
      }
      if (madeRoom != null) {
        logRemoval(madeRoom);
      }
    }

    /** A link-local key carries its interface: the kernel's set wants the address and the index apart. */
    private void allowInKernel(long sourceHi, long sourceLo) {
      if (Addresses.isScoped(sourceHi)) {
        access.allow(Addresses.LINK_LOCAL_HI, sourceLo, Addresses.scopeOf(sourceHi), config.serviceTimeoutNanos());
      } else {
        access.allow(sourceHi, sourceLo, 0, config.serviceTimeoutNanos());
      }
    }

    /** After the grant: a close decided before it finds the table not empty, or is done first. */
    private IOException openListener() {
      synchronized (gate) {
        try {
          listener.open();
          return null;
        } catch (IOException e) {
          return e;
        }
      }
    }

    @Override
    public void reset(long timeNanos, long sourceHi, long sourceLo, ResetReason reason) {
      if (logKnockProgress) {
        writer.reset(timeNanos, sourceHi, sourceLo, reason);
      }
    }

    @Override
    public void guardTripped(long timeNanos, long sourceHi, long sourceLo, int port) {
      if (logKnockProgress) { // A flood from spoofed sources on guard ports trips it once per source.
        writer.guardTripped(timeNanos, sourceHi, sourceLo, port);
      }
    }

    /** Logged even under --quiet, rate-limited: an admin must see who the guard keeps out. */
    @Override
    public void knockBlocked(long timeNanos, long sourceHi, long sourceLo, int port) {
      writer.knockBlocked(timeNanos, sourceHi, sourceLo, port);
    }

    @Override
    public void trackingCapped(long timeNanos, int capacity) {
      writer.trackingCapped(timeNanos, capacity);
    }
  }
}
