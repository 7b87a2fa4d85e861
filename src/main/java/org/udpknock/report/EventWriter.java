package org.udpknock.report;

import java.io.PrintWriter;
import java.util.function.IntFunction;
import org.udpknock.auth.Verdict;
import org.udpknock.core.Addresses;
import org.udpknock.core.ResetReason;

/**
 * Writes events as lines, in text or JSON. A door's engine events go through its view,
 * {@link #forDoor}, which names the door in each. Times are printed at the precision of the
 * capture that is being read, which the feeder sets with {@link #setTimeDigits}.
 */
public abstract class EventWriter {
  protected final PrintWriter out;
  private static final ThreadLocal<LineBuffer> LINES = ThreadLocal.withInitial(LineBuffer::new);
  private volatile int timeDigits = 6;
  private volatile IntFunction<String> scopeNames = Integer::toString;
  /** Any spoofer can make blocked knocks: the first few a second get a line, the rest a summary. */
  private final RefusalLog blockedLog = RefusalLog.standard();
  /**
   * Where the doors' events go instead of being written, or null: see {@link #deferTo}. Plain:
   * set and read only by the thread that feeds the doors.
   */
  DeferredEvents deferred;

  protected EventWriter(PrintWriter out) {
    this.out = out;
  }

  public static EventWriter create(boolean json, PrintWriter out) {
    return json ? new JsonEventWriter(out) : new TextEventWriter(out);
  }

  /** The view through which door {@code door}, of {@code sequenceLength} ports, writes its events. */
  public DoorEvents forDoor(String door, int sequenceLength) {
    return new DoorEvents(this, door, sequenceLength);
  }

  /** {@code knock DOOR SOURCE port PORT stage STAGE/LENGTH}. */
  protected abstract void knock(String door, int sequenceLength, long timeNanos, long sourceHi, long sourceLo,
      int port, int stage);

  protected abstract void granted(String door, long timeNanos, long sourceHi, long sourceLo);

  protected abstract void reset(String door, long timeNanos, long sourceHi, long sourceLo, ResetReason reason);

  protected abstract void guardTripped(String door, long timeNanos, long sourceHi, long sourceLo, int port);

  /**
   * Writes one whole line; lines from several threads never interleave. Not flushed here: a
   * flush per line is a system call per knock, which a flood turns into the bottleneck. The
   * server flushes from its timer instead.
   */
  protected void emit(String line) {
    out.println(line);
  }

  /** As {@link #emit(String)}, for a line built in a buffer. */
  void emit(LineBuffer line) {
    line.writeLineTo(out);
  }

  /** A knock datagram refused by authentication: {@code rejected DOOR SOURCE port PORT REASON}. */
  protected abstract void rejected(String door, long timeNanos, long sourceHi, long sourceLo, int port,
      Verdict reason);

  /**
   * A first-port knock ignored because the scan guard blocks its source:
   * {@code blocked SOURCE port PORT}, rate-limited by packet time ({@link RefusalLog#standard}).
   * A window's {@code blocked-summary} line comes with the next blocked knock, or from
   * {@link #summarizeBlocked}.
   */
  final void knockBlocked(String door, long timeNanos, long sourceHi, long sourceLo, int port) {
    synchronized (blockedLog) {
      boolean ownLine = blockedLog.admit(timeNanos);
      writeBlockedSummary(blockedLog.takeSummary(timeNanos), timeNanos);
      if (ownLine) {
        blocked(door, timeNanos, sourceHi, sourceLo, port);
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
  void trackingCapped(String door, long timeNanos, int capacity) {
    doorEvent(door, "warning", timeNanos, null, "message", "the heap is full: at most " + capacity
        + " sources are tracked from now on, and the oldest attempt is evicted beyond; lower"
        + " --max-sources or raise the heap with UDPKNOCK_JAVA_OPTS=-Xmx...");
  }

  /** One blocked knock's line. */
  protected abstract void blocked(String door, long timeNanos, long sourceHi, long sourceLo, int port);

  /**
   * A server event: {@code event} at {@code timeNanos}, about {@code source} (or null), with
   * fields given as name, value pairs; values are strings or numbers.
   */
  public void serverEvent(String event, long timeNanos, String source, Object... fields) {
    doorEvent(null, event, timeNanos, source, fields);
  }

  /** A server event of door {@code door}, or of the whole server when {@code door} is null. */
  public abstract void doorEvent(String door, String event, long timeNanos, String source, Object... fields);

  /**
   * From now on, the events of this writer's doors ({@link #forDoor}) are recorded into
   * {@code events} instead of written, until the next call; null writes them again. Only the
   * thread that feeds the doors calls this; the recorded events are written with
   * {@link DeferredEvents#writeAll}, by any one thread at a time.
   */
  public void deferTo(DeferredEvents events) {
    deferred = events;
  }

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

  /**
   * The calling thread's line, emptied, starting with the time at the capture's precision (see
   * {@link #time}). Reused until the thread's next line: a fresh buffer per line had 42 of the
   * 177 samples of writing the lines, in a CPU profile of a replay that wrote half a million.
   * Nothing that builds a line writes another one meanwhile.
   */
  LineBuffer lineAt(long epochNanos) {
    return TimeFormat.appendTo(LINES.get().clear(), epochNanos, timeDigits);
  }

  /** Appends the text form of an address key (see {@link #address}). */
  LineBuffer appendAddress(LineBuffer line, long hi, long lo) {
    return line.appendAddress(hi, lo, scopeNames);
  }

  /** The last line of a run. {@code lastTimeNanos} is the time of the last packet, if any. */
  public abstract void summary(Totals totals, boolean anyPacket, long lastTimeNanos);

  public void flush() {
    out.flush();
  }
}
