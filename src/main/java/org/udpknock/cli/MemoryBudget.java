package org.udpknock.cli;

import java.util.function.LongSupplier;
import org.udpknock.auth.AuthSettings;
import org.udpknock.core.GrantTable;
import org.udpknock.core.KnockEngine;

/**
 * Checks at start that the bounds asked for fit the heap this JVM may use, so that a flood finds
 * a table that can grow to its bound rather than an OutOfMemoryError (the launcher gives
 * -Xmx128m). The terms: the attempt table at its peak ({@link KnockEngine#trackingBytes}), the
 * nonce cache ({@link AuthSettings#nonceCacheBytes}), the grants ({@link GrantTable#bytesFor}), and a reserve for the rest.
 */
final class MemoryBudget {
  /** Everything else: classes' data, capture and log buffers, a flood's garbage between collections. */
  static final long RESERVE_BYTES = 16L << 20;
  private static final long MB = 1L << 20;

  /** The heap this JVM may use; tests replace it. */
  static LongSupplier maxHeapBytes = () -> Runtime.getRuntime().maxMemory();

  private MemoryBudget() {}

  /** Throws a {@link UserError} (exit code 2) naming the option to lower when the bounds do not fit. */
  static void check(int maxSources, int nonceCache, int maxGrants) {
    long heap = maxHeapBytes.getAsLong();
    long sources = KnockEngine.trackingBytes(maxSources);
    long nonces = nonceCache == 0 ? 0 : AuthSettings.nonceCacheBytes(nonceCache);
    long needed = sources + nonces + (maxGrants == 0 ? 0 : GrantTable.bytesFor(maxGrants)) + RESERVE_BYTES;
    if (needed <= heap) {
      return;
    }
    String lower = sources >= nonces
        ? "--max-sources (" + maxSources + ")" : "--nonce-cache (" + nonceCache + ")";
    long raiseTo = (needed + 64 * MB - 1) / (64 * MB) * 64;
    throw new UserError(ExitCodes.USAGE, "these bounds need about " + (needed + MB - 1) / MB
        + " MB of heap but this JVM has " + heap / MB + " MB: lower " + lower
        + " or raise the heap, e.g. UDPKNOCK_JAVA_OPTS=-Xmx" + raiseTo + "m");
  }
}
