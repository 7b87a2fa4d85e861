package org.udpknock.cli;

import java.util.List;
import java.util.function.LongSupplier;
import org.udpknock.auth.AuthSettings;
import org.udpknock.core.GrantTable;
import org.udpknock.core.KnockEngine;
import org.udpknock.door.DoorConfig;
import org.udpknock.door.DoorWiring;

/**
 * Checks at start that the bounds asked for fit the heap this JVM may use, so that a flood finds
 * a table that can grow to its bound rather than an OutOfMemoryError (the launcher gives the
 * server -Xmx72m -Xmn4m, the smallest heap its defaults fit, and the other commands -Xmx128m). The terms: the attempt table at its peak ({@link KnockEngine#trackingBytes}), the
 * nonce cache ({@link AuthSettings#nonceCacheBytes}), the grants ({@link GrantTable#bytesFor}), and a reserve for the rest.
 */
final class MemoryBudget {
  /**
   * Everything else: classes' data, capture and log buffers, a flood's garbage between
   * collections (the server's young generation is 4 MB).
   */
  static final long RESERVE_BYTES = 16L << 20;
  private static final long MB = 1L << 20;

  /** The heap this JVM may use; tests replace it. */
  static LongSupplier maxHeapBytes = () -> Runtime.getRuntime().maxMemory();

  private MemoryBudget() {}

  /** Throws a {@link UserError} (exit code 2) naming the option to lower when the bounds do not fit. */
  static void check(int maxSources, int nonceCache, int maxGrants) {
    check(maxSources, maxSources, new int[] {nonceCache}, maxGrants, "--max-sources", "--nonce-cache");
  }

  /**
   * The same check for {@code doors} read from a config file: each door has its own attempts
   * table and grants, its {@linkplain DoorWiring#share share} of {@code maxSources} and {@code
   * maxGrants}, and, when authenticated, its own nonce cache. The message names the file's keys.
   */
  static void check(List<DoorConfig> doors, int maxSources, int maxGrants) {
    int[] nonceCaches = doors.stream()
        .mapToInt(door -> door.rules().auth() == null ? 0 : door.rules().auth().nonceCacheCapacity()).toArray();
    check(DoorWiring.share(maxSources, doors.size()), maxSources, nonceCaches,
        DoorWiring.share(maxGrants, doors.size()), "max_sources", "nonce_cache");
  }

  /**
   * One door per entry of {@code nonceCaches} (0: plain door), each tracking {@code maxSources}
   * and holding {@code maxGrants}; the message names the bound as given, {@code givenSources}.
   */
  private static void check(int maxSources, int givenSources, int[] nonceCaches, int maxGrants,
      String sourcesName, String noncesName) {
    long heap = maxHeapBytes.getAsLong();
    long sources = KnockEngine.trackingBytes(maxSources) * nonceCaches.length;
    long nonces = 0;
    int largestCache = 0;
    for (int capacity : nonceCaches) {
      nonces += capacity == 0 ? 0 : AuthSettings.nonceCacheBytes(capacity);
      largestCache = Math.max(largestCache, capacity);
    }
    long grants = maxGrants == 0 ? 0 : GrantTable.bytesFor(maxGrants) * nonceCaches.length;
    long needed = sources + nonces + grants + RESERVE_BYTES;
    if (needed <= heap) {
      return;
    }
    String lower = sources >= nonces
        ? sourcesName + " (" + givenSources + ")" : noncesName + " (" + largestCache + ")";
    String doors = nonceCaches.length == 1 ? "" : " for " + nonceCaches.length + " doors";
    long raiseTo = (needed + 64 * MB - 1) / (64 * MB) * 64;
    throw new UserError(ExitCodes.USAGE, "these bounds need about " + (needed + MB - 1) / MB
        + " MB of heap" + doors + " but this JVM has " + heap / MB + " MB: lower " + lower
        + " or raise the heap, e.g. UDPKNOCK_JAVA_OPTS=-Xmx" + raiseTo + "m");
  }
}
