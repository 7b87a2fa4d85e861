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
