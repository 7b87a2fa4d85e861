package org.udpknock.action;

/**
 * What a door does with its grants: greet, forward, nftables, commands. The capture thread
 * decides a grant and hands it over; an action runs on the server's action thread (or threads of
 * its own), never on the capture thread, so the capture never waits on a socket, a process or
 * netlink.
 *
 * <p>Sources are the core's 128-bit keys (IPv4 as {@code ::ffff:a.b.c.d}; a link-local IPv6
 * source carries its interface, see {@code core.Addresses#isScoped}).
 */
public interface DoorAction extends AutoCloseable {
  /** At start, or when a reload adds the door: bind listeners, create sets. Fails with one sentence. */
  void start() throws ActionException;

  /** {@code source} is granted until {@code expiresAtNanos} (the server's clock); a renewal calls it again. */
  void opened(long sourceHi, long sourceLo, long expiresAtNanos);

  /**
   * {@code source} is granted until {@code expiresAtNanos} by another host of the fleet (a shared
   * door): the same as {@link #opened}, but for a door's commands, which run only where the
   * knock was seen unless the door says otherwise.
   */
  default void openedElsewhere(long sourceHi, long sourceLo, long expiresAtNanos) {
    opened(sourceHi, sourceLo, expiresAtNanos);
  }

  /** The source's grant ended: it expired, was evicted, or its door was removed by a reload. */
  void closed(long sourceHi, long sourceLo);

  /** The connections to the door's port so far (none without a port); from any thread, for metrics. */
  default ConnectionCounts connections() {
    return ConnectionCounts.NONE;
  }

  /** At stop, or when a reload removes the door. Never throws. */
  @Override
  void close();

  /** A door action that could not start: the message is one sentence saying what to do. */
  final class ActionException extends Exception {
    public ActionException(String message) {
      super(message);
    }

    public ActionException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
