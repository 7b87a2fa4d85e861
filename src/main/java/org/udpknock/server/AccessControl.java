package org.udpknock.server;

/**
 * Where a grant goes besides the server's own grant table: the kernel's firewall (the
 * {@code org.udpknock.nft} adapter), or nowhere ({@link #NONE}).
 */
public interface AccessControl {
  /**
   * Lets the source through for {@code durationNanos} from now, or renews it. Called on the
   * capture thread for each grant seen here, on the action thread for the others (a reload's,
   * the fleet's): from any thread, returns at once and never waits on the kernel.
   * {@code interfaceIndex} is the interface the knocks came in on, 0 if unknown.
   */
  void allow(long sourceHi, long sourceLo, int interfaceIndex, long durationNanos);

  /**
   * Whether the kernel resets every connection to the service port from a source without a
   * grant: the listener may then stay bound all the time, and a grant is only a set element.
   */
  boolean guardsServicePort();

  /** Stops applying grants; what the kernel holds stays there and expires on its own. */
  void close();

  /**
   * Returns once the path of a grant into the kernel is warm, or after a bounded wait: the server
   * calls it before it says it listens, so that the first grants neither run cold nor meet the
   * JIT compiling that path. At once by default.
   */
  default void awaitWarm() {}

  /** No firewall: the service port is closed (unbound) while nobody holds a grant. */
  AccessControl NONE = new AccessControl() {
    @Override
    public void allow(long sourceHi, long sourceLo, int interfaceIndex, long durationNanos) {}

    @Override
    public boolean guardsServicePort() {
      return false;
    }

    @Override
    public void close() {}
  };
}
