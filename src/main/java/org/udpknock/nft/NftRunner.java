package org.udpknock.nft;

/** Runs one buffer of nft commands as a transaction: libnftables in the server, a recorder in tests. */
@FunctionalInterface
public interface NftRunner {
  void run(String commands) throws NftException;
}
