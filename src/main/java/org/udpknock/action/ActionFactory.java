package org.udpknock.action;

import org.udpknock.door.Door;
import org.udpknock.door.DoorConfig;
import org.udpknock.server.AccessControl;
import org.udpknock.server.Clock;
import org.udpknock.server.ServerEvents;

/**
 * Makes a door's action from its config: the one place a new action plugs in. The door's
 * commands (on_open, on_close) will wrap whatever this makes.
 */
public final class ActionFactory {
  private ActionFactory() {}

  /**
   * What an action may use: the door (its config and grant table), its events, the server's
   * clock, the bound on greetings in flight, and the kernel's guard of the door's port.
   */
  public record Context(Door door, ServerEvents events, Clock clock, int maxGreetingsInFlight, AccessControl access) {}

  public static DoorAction create(Context context) throws DoorAction.ActionException {
    DoorConfig door = context.door().config();
    if (!door.commands().isEmpty()) {
      throw notBuiltYet(door, "on_open and on_close");
    }
    switch (door.action()) {
      case GREET:
        return new GreetAction(door, context.door().grants(), context.access(), context.events(), context.clock(),
            context.maxGreetingsInFlight());
      case NONE:
        return NoAction.INSTANCE;
      case NFTABLES:
        return new NftablesAction(door, context.access(), context.clock());
      case FORWARD:
      default:
        throw notBuiltYet(door, "action = \"" + door.action().label() + "\"");
    }
  }

  private static DoorAction.ActionException notBuiltYet(DoorConfig door, String what) {
    return new DoorAction.ActionException("door '" + door.name() + "': " + what
        + " is not built yet in this version; use action = \"greet\" or \"none\" without commands");
  }

  /** {@code action = "none"} without commands: the door only logs its grants. */
  private enum NoAction implements DoorAction {
    INSTANCE;

    @Override
    public void start() {}

    @Override
    public void opened(long sourceHi, long sourceLo, long expiresAtNanos) {}

    @Override
    public void closed(long sourceHi, long sourceLo) {}

    @Override
    public void close() {}
  }
}
