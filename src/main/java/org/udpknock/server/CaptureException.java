package org.udpknock.server;

/** A capture that cannot start or goes on no longer; the message is one sentence saying what to do. */
public final class CaptureException extends Exception {
  /** What went wrong, so callers can choose an exit code or a retry. */
  public enum Kind { LIBPCAP_MISSING, NO_PRIVILEGE, NO_SUCH_INTERFACE, BAD_FILTER, INTERFACE_GONE, OTHER }

  private final Kind kind;

  public CaptureException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
