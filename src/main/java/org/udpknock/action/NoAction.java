package org.udpknock.action;

/**
 * The main action of a door with {@code action = "none"}: nothing but the door's commands
 * (a {@link CommandAction} around it), as a knockd door.
 */
public final class NoAction implements DoorAction {
  @Override
  public void start() {}

  @Override
  public void opened(long sourceHi, long sourceLo, long expiresAtNanos) {}

  @Override
  public void closed(long sourceHi, long sourceLo) {}

  @Override
  public void close() {}
}
