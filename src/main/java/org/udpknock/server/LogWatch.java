package org.udpknock.server;

import java.io.PrintWriter;
import org.udpknock.report.EventOutput;

/**
 * Watches the log's output after each flush of the server's timer. Access must not depend on the
 * log: a log that cannot be written (a full disk, a reader that went away) stops nothing. It is
 * said once on stderr when lines start to be lost, the lines lost are counted (in the summary),
 * and when writes succeed again a {@code log-resumed} line says how many were lost meanwhile.
 */
final class LogWatch {
  private final EventOutput output;
  private final PrintWriter err;
  private final ServerEvents events;
  /** Lost lines already told of in a log-resumed line. */
  private long reportedLost;
  /** True from the stderr warning until the log works again. */
  private boolean losing;

  LogWatch(EventOutput output, PrintWriter err, ServerEvents events) {
    this.output = output;
    this.err = err;
    this.events = events;
  }

  /** Called after a flush, from one thread at a time. */
  synchronized void afterFlush() {
    long lost = output.lostLines();
    if (!losing && (output.isFailing() || lost > reportedLost)) {
      losing = true;
      err.println("udpknock server: the log cannot be written to standard output ("
          + output.lastFailure().getMessage() + "); knocks are still granted, and the lines lost"
          + " are counted in the summary.");
      err.flush();
    }
    if (losing && !output.isFailing()) {
      losing = false;
      events.logResumed(lost - reportedLost, lost);
      reportedLost = lost;
      output.flush(); // Counted as lost too if it fails again.
    }
  }

  long lostLines() {
    return output.lostLines();
  }

  /** At exit, once the summary is flushed: a summary that could not be written is told on stderr. */
  synchronized void atExit() {
    if (output.isFailing()) {
      err.println("udpknock server: " + output.lostLines() + " log lines were lost, the summary"
          + " among them (" + output.lastFailure().getMessage() + ").");
      err.flush();
    }
  }
}
