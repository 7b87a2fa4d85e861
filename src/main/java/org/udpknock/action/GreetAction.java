package org.udpknock.action;

import java.io.IOException;
import java.net.InetAddress;
import org.udpknock.core.Addresses;
import org.udpknock.core.GrantTable;
import org.udpknock.door.DoorConfig;
import org.udpknock.server.AccessControl;
import org.udpknock.server.Clock;
import org.udpknock.server.LocalAddresses;
import org.udpknock.server.ServerEvents;
import org.udpknock.server.ServiceListener;

/**
 * Today's action: the door's TCP port listens while a grant of the door lasts, greets granted
 * sources and resets others without a byte. Where the kernel guards the port ({@link
 * AccessControl#guardsServicePort}), the port stays bound and a grant is a set element.
 *
 * <p>Every call but {@link #close} and {@link #openingInKernel} (on the capture thread, an offer
 * to the kernel's worker and nothing else) comes on the action thread, one at a time, so opening after
 * a grant and closing once no grant is left need no lock: the door's table holds a grant
 * before its {@link #opened} is queued, so a close decided later sees it.
 */
public final class GreetAction implements DoorAction {
  private final DoorConfig door;
  private final GrantTable grants;
  private final AccessControl access;
  private final ServerEvents events;
  private final Clock clock;
  private final ServiceListener listener;

  public GreetAction(DoorConfig door, GrantTable grants, AccessControl access, ServerEvents events, Clock clock,
      int maxGreetingsInFlight) {
    this.door = door;
    this.grants = grants;
    this.access = access;
    this.events = events;
    this.clock = clock;
    this.listener = new ServiceListener(door.bind(), door.port(), door.greeting(), this::isGranted, events,
        clock, door.writeTimeoutNanos(), maxGreetingsInFlight);
  }

  /** The kernel resets sources without a grant: the port can stay bound, so a grant opens it sooner. */
  @Override
  public void start() {
    if (access.guardsServicePort()) {
      openListener();
    } else {
      try {
        listener.prepare(); // The first grant then only binds the port.
      } catch (IOException e) {
        events.listenerFailed(door.port(), e.getMessage());
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
   * A queue's offer: on the capture thread. Where the kernel guards the port, the listener is
   * bound from the start and stays bound: nothing is left to do unless its bind failed.
   */
  @Override
  public boolean openingInKernel(long sourceHi, long sourceLo, long expiresAtNanos) {
    allowInKernel(sourceHi, sourceLo);
    return !(access.guardsServicePort() && listener.isOpen());
  }

  @Override
  public void openedAfterKernel(long sourceHi, long sourceLo, long expiresAtNanos) {
    openListener();
  }

  @Override
  public void closed(long sourceHi, long sourceLo) {
    if (grants.size() == 0 && !access.guardsServicePort()) {
      listener.close();
    }
  }

  @Override
  public ConnectionCounts connections() {
    return listener.connections();
  }

  /** The kernel's guard is its maker's to close: it may outlive the action. */
  @Override
  public void close() {
    listener.shutdown();
  }

  private void openListener() {
    try {
      listener.open();
    } catch (IOException e) {
      events.listenerFailed(door.port(), e.getMessage());
    }
  }

  /** A link-local key carries its interface: the kernel's set wants the address and the index apart. */
  private void allowInKernel(long sourceHi, long sourceLo) {
    if (Addresses.isScoped(sourceHi)) {
      access.allow(Addresses.LINK_LOCAL_HI, sourceLo, Addresses.scopeOf(sourceHi), door.openForNanos());
    } else {
      access.allow(sourceHi, sourceLo, 0, door.openForNanos());
    }
  }

  private boolean isGranted(InetAddress remote) {
    long[] key = LocalAddresses.key(remote);
    return grants.isGranted(key[0], key[1], clock.nowNanos());
  }
}
