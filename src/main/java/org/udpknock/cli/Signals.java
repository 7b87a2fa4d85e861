package org.udpknock.cli;

import sun.misc.Signal;

/**
 * SIGINT and SIGTERM stop the server cleanly, so it can print its totals and exit 0. A
 * shutdown hook alone would end with status 143 for SIGTERM; a signal handler lets main return.
 */
final class Signals {
  private Signals() {}

  static void onTerminate(Runnable action) {
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        Signal.handle(new Signal(name), signal -> action.run());
      } catch (IllegalArgumentException e) {
        // The signal is not available here (or reserved by the JVM): keep its default.
      }
    }
  }
}
