package org.udpknock.nft;

/** nftables is missing or refused a command; the message is nft's own, on one line. */
public final class NftException extends Exception {
  private static final long serialVersionUID = 1L;

  public NftException(String message) {
    super(message);
  }

  /** Whether the kernel refused for want of CAP_NET_ADMIN (EPERM), not for a bad command. */
  public boolean isPermissionDenied() {
    return getMessage().contains("Operation not permitted");
  }
}
