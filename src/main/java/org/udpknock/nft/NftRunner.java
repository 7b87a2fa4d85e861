package org.udpknock.nft;

import java.util.List;

/** Runs one buffer of nft commands as a transaction: libnftables in the server, a recorder in tests. */
@FunctionalInterface
public interface NftRunner {
  void run(String commands) throws NftException;

  /**
   * Renews these grants in {@code port}'s sets of {@code table} as {@code run(allowCommands)} would,
   * by a faster way than text; false when this runner has none for them (the text path then runs).
   */
  default boolean allowDirect(String table, GuardedPort port, List<Allowance> allowances) {
    return false;
  }

  /** Warms {@link #allowDirect}'s path, leaving no element behind; false when there is no such path. */
  default boolean warmDirect(String table, GuardedPort port) {
    return false;
  }
}
