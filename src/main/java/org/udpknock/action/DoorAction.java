package org.udpknock.action;

/**
 * What a door does with its grants: greet, forward, nftables, commands. The capture thread
 * decides a grant and hands it over; an action runs on the server's action thread (or threads of
 * its own), never on the capture thread, so the capture never waits on a socket, a process or
 * netlink. The one exception, {@link #openingInKernel}, only hands work on.
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
   * On the capture thread, as a knock seen here grants the source, before {@link
   * #openedAfterKernel} on the action thread: the kernel's part of {@link #opened}, only if it
   * returns at once and never waits. A door whose port the kernel guards hands the source's set
   * element to the nftables worker here, so that the element is one thread's wake-up away from
   * the knock, not two (the action thread's, then the worker's).
   *
   * <p>Returns whether {@link #openedAfterKernel} has anything left to do. When it has not (the
   * port the kernel guards is bound already), the action thread is not woken for this grant: woken
   * with the worker, on a busy CPU it ran first, and the element waited behind it. True, and
   * nothing done here, by default.
   */
  default boolean openingInKernel(long sourceHi, long sourceLo, long expiresAtNanos) {
    return true;
  }

  /** On the action thread, after {@link #openingInKernel}: the rest of {@link #opened}. By default all of it. */
  default void openedAfterKernel(long sourceHi, long sourceLo, long expiresAtNanos) {
    opened(sourceHi, sourceLo, expiresAtNanos);
  }

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
