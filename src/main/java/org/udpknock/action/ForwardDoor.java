package org.udpknock.action;

import java.io.IOException;
import org.udpknock.core.Addresses;
import org.udpknock.core.GrantTable;
import org.udpknock.server.AccessControl;

/**
 * A forward door's action: the {@link ForwardAction} with the door's grants and the kernel's
 * guard of its port, as {@link GreetAction} has them. Where the kernel resets sources without a
 * grant, the port stays bound from the start and a grant is a set element first; without it, the
 * port is bound while the door holds a grant and unbound when its last grant ends (relays already
 * open go on, see {@link ForwardAction}).
 */
final class ForwardDoor implements DoorAction {
  private final ForwardAction forward;
  private final GrantTable grants;
  private final AccessControl access;
  private final long openForNanos;

  ForwardDoor(ForwardAction forward, GrantTable grants, AccessControl access, long openForNanos) {
    this.forward = forward;
    this.grants = grants;
    this.access = access;
    this.openForNanos = openForNanos;
  }

  @Override
  public void start() throws ActionException {
    forward.start();
    if (access.guardsServicePort()) {
      try {
        forward.openPort();
      } catch (IOException e) {
        throw new ActionException("cannot listen on TCP port " + forward.port() + " for forwarding ("
            + e.getMessage() + "); free the port or choose another.", e);
      }
    }
  }

  /** The kernel's part first: it takes longest. */
  @Override
  public void opened(long sourceHi, long sourceLo, long expiresAtNanos) {
    openingInKernel(sourceHi, sourceLo, expiresAtNanos);
    openedAfterKernel(sourceHi, sourceLo, expiresAtNanos);
  }

  /**
   * A queue's offer: on the capture thread. Where the kernel guards the port, the port was bound
   * at the start (or the start failed) and stays bound: nothing is left to do.
   */
  @Override
  public boolean openingInKernel(long sourceHi, long sourceLo, long expiresAtNanos) {
    if (Addresses.isScoped(sourceHi)) { // The kernel's set wants the address and the interface apart.
      access.allow(Addresses.LINK_LOCAL_HI, sourceLo, Addresses.scopeOf(sourceHi), openForNanos);
    } else {
      access.allow(sourceHi, sourceLo, 0, openForNanos);
    }
    return !access.guardsServicePort();
  }

  @Override
  public void openedAfterKernel(long sourceHi, long sourceLo, long expiresAtNanos) {
    forward.opened(sourceHi, sourceLo, expiresAtNanos);
  }

  @Override
  public void closed(long sourceHi, long sourceLo) {
    if (grants.size() == 0 && !access.guardsServicePort()) {
      forward.closePort();
    }
  }

  /** The kernel's guard is its maker's to close: it may outlive the action. */
  @Override
  public void close() {
    forward.close();
  }
}
