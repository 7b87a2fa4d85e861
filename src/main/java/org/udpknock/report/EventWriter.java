package org.udpknock.report;

import java.io.PrintWriter;
import org.udpknock.core.KnockListener;

/**
 * Writes engine events as lines, in text or JSON. Times are printed at the precision of the
 * capture that is being read, which the feeder sets with {@link #setTimeDigits}.
 */
public abstract class EventWriter implements KnockListener {
  protected final PrintWriter out;
  private int timeDigits = 6;

  protected EventWriter(PrintWriter out) {
    this.out = out;
  }

  public static EventWriter create(boolean json, PrintWriter out, int sequenceLength) {
    return json ? new JsonEventWriter(out) : new TextEventWriter(out, sequenceLength);
  }

  /** Fraction digits the current capture's timestamps carry (6 = microseconds, 9 = nanoseconds). */
  public void setTimeDigits(int digits) {
    timeDigits = digits;
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
