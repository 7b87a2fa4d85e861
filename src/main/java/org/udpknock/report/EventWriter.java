package org.udpknock.report;

import java.io.PrintWriter;
import java.util.function.IntFunction;
import org.udpknock.auth.RejectionListener;
import org.udpknock.auth.Verdict;
import org.udpknock.core.Addresses;
import org.udpknock.core.KnockListener;

/**
 * Writes engine events as lines, in text or JSON. Times are printed at the precision of the
 * capture that is being read, which the feeder sets with {@link #setTimeDigits}.
 */
public abstract class EventWriter implements KnockListener, RejectionListener {
  protected final PrintWriter out;
  private volatile int timeDigits = 6;
  private volatile IntFunction<String> scopeNames = Integer::toString;
  /** Any spoofer can make blocked knocks: the first few a second get a line, the rest a summary. */
  private final RefusalLog blockedLog = RefusalLog.standard();

  protected EventWriter(PrintWriter out) {
    this.out = out;
  }

  public static EventWriter create(boolean json, PrintWriter out, int sequenceLength) {
    return json ? new JsonEventWriter(out) : new TextEventWriter(out, sequenceLength);
  }

  /**
   * Writes one whole line; lines from several threads never interleave. Not flushed here: a
   * flush per line is a system call per knock, which a flood turns into the bottleneck. The
   * server flushes from its timer instead.
   */
  protected void emit(String line) {
    out.println(line);
  }

  /** A knock datagram refused by authentication: {@code rejected SOURCE port PORT REASON}. */
  @Override
  public abstract void rejected(long timeNanos, long sourceHi, long sourceLo, int port, Verdict reason);

  /**
   * A first-port knock ignored because the scan guard blocks its source:
   * {@code blocked SOURCE port PORT}, rate-limited by packet time ({@link RefusalLog#standard}).
   * A window's {@code blocked-summary} line comes with the next blocked knock, or from
   * {@link #summarizeBlocked}.
   */
  @Override
  public final void knockBlocked(long timeNanos, long sourceHi, long sourceLo, int port) {
    synchronized (blockedLog) {
      boolean ownLine = blockedLog.admit(timeNanos);
      writeBlockedSummary(blockedLog.takeSummary(timeNanos), timeNanos);
      if (ownLine) {
        blocked(timeNanos, sourceHi, sourceLo, port);
      }
    }
  }

  /** Writes the summary of blocked knocks not logged in windows over by {@code nowNanos}. */
  public void summarizeBlocked(long nowNanos) {
    synchronized (blockedLog) {
      writeBlockedSummary(blockedLog.takeSummary(nowNanos), nowNanos);
    }
  }

  /** At the end of a run: ends the current window of blocked knocks and writes its summary. */
  public void finishBlocked(long nowNanos) {
    synchronized (blockedLog) {
      writeBlockedSummary(blockedLog.takeFinalSummary(), nowNanos);
    }
  }

  private void writeBlockedSummary(RefusalLog.Summary summary, long timeNanos) {
    if (summary != null) {
      serverEvent("blocked-summary", timeNanos, null, "not-logged", summary.notLogged(),
          "blocked", summary.refused());
    }
  }

  /** Once, when growing the attempt table ran out of heap: it tracks fewer sources from then on. */
  @Override
  public void trackingCapped(long timeNanos, int capacity) {
    serverEvent("warning", timeNanos, null, "message", "the heap is full: at most " + capacity
        + " sources are tracked from now on, and the oldest attempt is evicted beyond; lower"
        + " --max-sources or raise the heap with UDPKNOCK_JAVA_OPTS=-Xmx...");
  }

  /** One blocked knock's line. */
  protected abstract void blocked(long timeNanos, long sourceHi, long sourceLo, int port);

  /**
   * A server event: {@code event} at {@code timeNanos}, about {@code source} (or null), with
   * fields given as name, value pairs; values are strings or numbers.
   */
  public abstract void serverEvent(String event, long timeNanos, String source, Object... fields);

  /** Fraction digits the current capture's timestamps carry (6 = microseconds, 9 = nanoseconds). */
  public void setTimeDigits(int digits) {
    timeDigits = digits;
  }

  /**
   * Names interface indexes in link-local addresses ({@code fe80::1%eth0}); by default they
   * print as numbers ({@code fe80::1%2}), as in replay, where the capturing host's names are unknown.
   */
  public void setScopeNames(IntFunction<String> names) {
    scopeNames = names;
  }

  /** The text form of an address key, a link-local one with its interface. */
  public String address(long hi, long lo) {
    return Addresses.format(hi, lo, scopeNames);
  }

  protected String time(long epochNanos) {
    return TimeFormat.format(epochNanos, timeDigits);
  }

  /** The last line of a run. {@code lastTimeNanos} is the time of the last packet, if any. */
  public abstract void summary(Totals totals, boolean anyPacket, long lastTimeNanos);

  public void flush() {
    out.flush();
  }
}
