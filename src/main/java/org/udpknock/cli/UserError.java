package org.udpknock.cli;

/**
 * A failure the user can fix: its message is one sentence saying what to do, and it is printed
 * without a stack trace.
 */
public final class UserError extends RuntimeException {
  private final int exitCode;

  public UserError(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
