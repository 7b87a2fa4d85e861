package org.udpknock.action;

import org.udpknock.core.Addresses;
import org.udpknock.door.DoorConfig;
import org.udpknock.server.AccessControl;
import org.udpknock.server.Clock;

/**
 * {@code action = "nftables"}: no listener. The door protects a real TCP port of this host;
 * udpknock's table resets every connection to it from a source that is not in the door's sets,
 * and a grant puts the source there with the grant's remaining time as the element's timeout.
 * The kernel expires it: a grant's end needs nothing here, and a restart keeps what the kernel
 * holds. The nft call itself is the {@code KernelGrants} worker's: this returns at once.
 */
public final class NftablesAction implements DoorAction {
  private final DoorConfig door;
  private final AccessControl kernel;
  private final Clock clock;

  /** {@code kernel} must guard the door's port: without it the door would guard nothing. */
  public NftablesAction(DoorConfig door, AccessControl kernel, Clock clock) throws ActionException {
    if (!kernel.guardsServicePort()) {
      throw new ActionException("door '" + door.name() + "': action = \"nftables\" needs nftables"
          + " (libnftables1 and CAP_NET_ADMIN) and nftables = \"auto\" or \"require\"");
    }
    this.door = door;
    this.kernel = kernel;
    this.clock = clock;
  }

  /** The table and sets are in place before the doors start: nothing to open. */
  @Override
  public void start() {}

  /** All of it is the kernel's part, which is a queue's offer: on the capture thread. */
  @Override
  public boolean openingInKernel(long sourceHi, long sourceLo, long expiresAtNanos) {
    opened(sourceHi, sourceLo, expiresAtNanos);
    return false;
  }

  @Override
  public void openedAfterKernel(long sourceHi, long sourceLo, long expiresAtNanos) {}

  /** A link-local key carries its interface: the kernel's set wants the address and the index apart. */
  @Override
  public void opened(long sourceHi, long sourceLo, long expiresAtNanos) {
    long left = Math.min(expiresAtNanos - clock.nowNanos(), door.openForNanos());
    if (left <= 0) {
      return;
    }
    if (Addresses.isScoped(sourceHi)) {
      kernel.allow(Addresses.LINK_LOCAL_HI, sourceLo, Addresses.scopeOf(sourceHi), left);
    } else {
      kernel.allow(sourceHi, sourceLo, 0, left);
    }
  }

  /** The kernel removes the element when its timeout ends: nothing to clean up. */
  @Override
  public void closed(long sourceHi, long sourceLo) {}

  /** The table stays (fail closed); the kernel's guard is its maker's to close. */
  @Override
  public void close() {}
}
