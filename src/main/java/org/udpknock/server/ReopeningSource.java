package org.udpknock.server;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.udpknock.report.EventWriter;

/**
 * A capture that outlives its interface: when the interface disappears (or goes down) the
 * capture is logged as lost, closed, and opened again with {@link Backoff}, then logged as
 * resumed. Frames keep going to the same sink, so the engine's attempts and the grants are
 * untouched. Optionally waits the same way for an interface that does not exist yet at start.
 *
 * <p>Kernel counters start at zero with each new libpcap handle: {@link #stats} adds the last
 * counters of every closed handle, so the totals never go backwards.
 */
public final class ReopeningSource implements PacketSource {
  /** Opens one capture on the interface; fails with a {@link CaptureException} saying why. */
  @FunctionalInterface
  public interface Opener {
    PacketSource open() throws CaptureException;
  }

  private final String interfaceName;
  private final String filter;
  private final Opener opener;
  private final ServerEvents events;
  private final Backoff backoff;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Object lock = new Object();
  private volatile boolean stopping;
  private volatile int linkType = -1;
  /** Captures reopened after the interface was lost; written by the capture thread only, read by any. */
  private volatile long reopenings;
  /** The filter a reload asked for, given to every capture opened since; null: the opener's. */
  private volatile java.util.function.IntFunction<String> refiltered;
  /** Guarded by lock. */
  private PacketSource current;
  private CaptureStats closedTotals = CaptureStats.NONE;
  private CaptureStats currentLastSeen = CaptureStats.NONE;

  public ReopeningSource(String interfaceName, String filter, Opener opener, EventWriter writer,
      Clock clock) {
    this(interfaceName, filter, opener, new ServerEvents(writer, clock), Backoff.standard());
  }

  ReopeningSource(String interfaceName, String filter, Opener opener, ServerEvents events,
      Backoff backoff) {
    this.interfaceName = interfaceName;
    this.filter = filter;
    this.opener = opener;
    this.events = events;
    this.backoff = backoff;
  }

  /**
   * Opens the first capture. Without {@code waitForInterface} a failure is thrown as is; with
   * it, an interface that is missing (or down) is retried with backoff, one log line per retry.
   *
   * @return false when {@link #stop} came first
   */
  public boolean openFirst(boolean waitForInterface) throws CaptureException {
    if (!waitForInterface) {
      return install(opener.open());
    }
    return openWithBackoff();
  }

  @Override
  public void run(FrameSink sink) throws CaptureException {
    if (currentSource() == null && !openFirst(false)) {
      return;
    }
    while (!stopping) {
      PacketSource running = currentSource();
      String why = runUntilLost(running, sink);
      if (why == null) {
        return; // stopped
      }
      events.captureLost(interfaceName, why);
      retire(running);
      if (!openWithBackoff()) {
        return;
      }
      reopenings = reopenings + 1; // One writer: no lost update. Rare: a volatile write costs nothing here.
      events.captureResumed(interfaceName, linkType);
    }
  }

  /** Runs one capture; returns why it ended, or null when it ended because of {@link #stop}. */
  private String runUntilLost(PacketSource running, FrameSink sink) throws CaptureException {
    try {
      running.run(sink);
      return stopping ? null : "the capture on " + interfaceName + " ended";
    } catch (CaptureException e) {
      if (stopping) {
        return null;
      }
      if (!isRecoverable(e.kind())) {
        throw e;
      }
      return e.getMessage();
    }
  }

  private boolean openWithBackoff() throws CaptureException {
    while (!stopping) {
      try {
        boolean installed = install(opener.open());
        backoff.reset();
        return installed;
      } catch (CaptureException e) {
        if (!isRecoverable(e.kind())) {
          throw e;
        }
        long delayMillis = backoff.nextDelayMillis();
        events.captureWaiting(interfaceName, delayMillis, shortReason(e));
        if (awaitStop(delayMillis)) {
          return false;
        }
      }
    }
    return false;
  }

  /** A missing or vanished interface may come back; a missing privilege or library will not. */
  private static boolean isRecoverable(CaptureException.Kind kind) {
    return kind == CaptureException.Kind.NO_SUCH_INTERFACE
        || kind == CaptureException.Kind.INTERFACE_GONE
        || kind == CaptureException.Kind.OTHER;
  }

  /** The missing-interface sentence lists every device: too long to repeat every few seconds. */
  private static String shortReason(CaptureException e) {
    return e.kind() == CaptureException.Kind.NO_SUCH_INTERFACE ? "no such interface" : e.getMessage();
  }

  private boolean awaitStop(long millis) {
    try {
      return stopped.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /** Makes {@code opened} the current capture, or closes it when a stop came meanwhile. */
  private boolean install(PacketSource opened) {
    synchronized (lock) {
      if (!stopping) {
        current = opened;
        currentLastSeen = CaptureStats.NONE;
        linkType = opened.linkType();
        return true;
      }
    }
    opened.close();
    return false;
  }

  /** Keeps the counters of a capture that ended, then closes it. */
  private void retire(PacketSource ended) {
    synchronized (lock) {
      CaptureStats last = atLeast(currentLastSeen, ended.stats());
      closedTotals = new CaptureStats(closedTotals.received() + last.received(),
          closedTotals.dropped() + last.dropped());
      currentLastSeen = CaptureStats.NONE;
      current = null;
    }
    ended.close();
  }

  private PacketSource currentSource() {
    synchronized (lock) {
      return current;
    }
  }

  /** A closed handle reads as zero: never let a counter fall back below what was seen. */
  private static CaptureStats atLeast(CaptureStats seen, CaptureStats now) {
    return new CaptureStats(Math.max(seen.received(), now.received()),
        Math.max(seen.dropped(), now.dropped()));
  }

  @Override
  public String interfaceName() {
    return interfaceName;
  }

  /** How many times the capture was reopened after its interface was lost (each a capture-resumed line). */
  public long reopenings() {
    return reopenings;
  }

  /** The link type of the current capture, or of the last one; -1 before the first opens. */
  @Override
  public int linkType() {
    return linkType;
  }

  /** The filter of the current capture (it depends on the link type), or the one given before the first opens. */
  @Override
  public String filter() {
    PacketSource running = currentSource();
    return running == null ? filter : running.filter();
  }

  /** The current capture's filter now, and every reopened one's after. */
  @Override
  public void refilter(java.util.function.IntFunction<String> filterForLinkType) throws CaptureException {
    PacketSource running;
    synchronized (lock) {
      refiltered = filterForLinkType;
      running = current;
    }
    if (running != null) {
      running.refilter(filterForLinkType);
    }
  }

  /** The filter of the last reload, for the opener: a capture reopened after its interface came back uses it. */
  public java.util.function.IntFunction<String> refiltered(java.util.function.IntFunction<String> atStart) {
    java.util.function.IntFunction<String> latest = refiltered;
    return latest == null ? atStart : latest;
  }

  /** Ends {@link #run} or {@link #openFirst} soon, including during a backoff wait. */
  @Override
  public void stop() {
    stopping = true;
    synchronized (lock) {
      if (current != null) {
        current.stop();
      }
    }
    stopped.countDown();
  }

  @Override
  public CaptureStats stats() {
    synchronized (lock) {
      if (current != null) {
        currentLastSeen = atLeast(currentLastSeen, current.stats());
      }
      return new CaptureStats(closedTotals.received() + currentLastSeen.received(),
          closedTotals.dropped() + currentLastSeen.dropped());
    }
  }

  /** Closes the current capture; call after {@link #run} has returned. */
  @Override
  public void close() {
    PacketSource closing;
    synchronized (lock) {
      closing = current;
      current = null;
    }
    if (closing != null) {
      closing.close();
    }
  }
}
