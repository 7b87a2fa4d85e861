package org.udpknock.cli;

/** Exit codes shared by all subcommands. */
public final class ExitCodes {
  private ExitCodes() {}

  public static final int OK = 0;
  /** A runtime failure: unreadable file, refused connection, missing privilege, busy port. */
  public static final int FAILURE = 1;
  /** Bad usage: an unknown option or a value out of range. */
  public static final int USAGE = 2;
  /** A bug: an exception nobody expected. */
  public static final int INTERNAL = 70;
}
