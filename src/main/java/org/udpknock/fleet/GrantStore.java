package org.udpknock.fleet;

/**
 * Where a fleet's hosts share their grants (Redis): each host {@link #publish publishes} the
 * grants of its shared doors and {@link Receiver receives} the others'. A store is never a
 * single point of failure: while it is unreachable, hosts keep granting locally, and what they
 * granted meanwhile is published once it is back.
 *
 * <p>Threads: {@link #publish} is called on the capture thread and never waits (it hands the
 * grant to the store's own threads); the {@link Receiver} is called on the store's threads.
 */
public interface GrantStore extends AutoCloseable {
  /**
   * Starts connecting (in the background: returns at once, connected or not) and delivering.
   * Live grants already in the store are delivered first, then each one announced.
   */
  void start(Receiver receiver);

  /** From the capture thread: never waits. False when the grant could not even be queued (counted). */
  boolean publish(SharedGrant grant);

  /** What the store has done so far; from any thread, for metrics and the summary. */
  FleetCounts counts();

  /** Stops the store's threads and connections, a bounded time. Never throws. */
  @Override
  void close();

  /** What a store hands back, on its own threads. */
  interface Receiver {
    /**
     * A grant made by another host, or by an earlier run of this one, checked (signed with the
     * fleet key, not stale). {@code host} is the signer's {@code host_name}.
     */
    void received(SharedGrant grant, String host);

    /** A message refused: unsigned, wrongly signed, malformed or stale; {@code reason} is a short word, e.g. {@code bad-signature}. */
    void refused(String reason, String detail);

    /** The store became unreachable (or was at start): local grants go on; {@code why} is one sentence. */
    void lost(String why);

    /**
     * The store is back: {@code loaded} live grants read from it, {@code republished} grants made
     * meanwhile sent. Also called when the first connection is made (at start, or after a start
     * that was {@link #lost}): the start's loading is then done.
     */
    void resumed(int loaded, int republished);
  }

  /**
   * Counts since start: grants published (written to the store and announced), messages received
   * (checked and delivered), refused (by reason), and grants dropped before publishing (a full
   * queue, or a link-local source). Applied grants are counted by the server, which applies them.
   */
  record FleetCounts(long published, long received, java.util.Map<String, Long> refusedByReason, long dropped,
      boolean connected) {
    /** Messages refused, all reasons together. */
    public long refused() {
      return refusedByReason.values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
