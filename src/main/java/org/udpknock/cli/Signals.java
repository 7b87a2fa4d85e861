package org.udpknock.cli;

import sun.misc.Signal;

/**
 * SIGINT and SIGTERM stop the server cleanly, so it can print its totals and exit 0. A
 * shutdown hook alone would end with status 143 for SIGTERM; a signal handler lets main return.
 * SIGHUP would kill the JVM (exit 129, no totals): it gets a handler of its own.
 */
final class Signals {
  private Signals() {}

  static void onTerminate(Runnable action) {
    handle("INT", action);
    handle("TERM", action);
  }

  /** SIGHUP, the usual "reload your settings". */
  static void onReload(Runnable action) {
    handle("HUP", action);
  }

  private static void handle(String name, Runnable action) {
    try {
      Signal.handle(new Signal(name), signal -> action.run());
    } catch (IllegalArgumentException e) {
      // The signal is not available here (or reserved by the JVM): keep its default.
    }
  }
}
