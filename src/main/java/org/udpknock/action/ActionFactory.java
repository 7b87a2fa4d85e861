package org.udpknock.action;

import org.udpknock.door.Door;
import org.udpknock.door.DoorConfig;
import org.udpknock.report.EventWriter;
import org.udpknock.server.AccessControl;
import org.udpknock.server.Clock;
import org.udpknock.server.ServerEvents;

/**
 * Makes a door's action from its config: the one place a new action plugs in. A door with
 * commands (on_open, on_close) gets a {@link CommandAction} around its main action.
 */
public final class ActionFactory {
  private ActionFactory() {}

  /**
   * What an action may use: the door (its config and grant table), its events, the server's
   * clock, the bound on greetings in flight, the kernel's guard of the door's port, the log's
   * writer, and the server's one command runner with its events (null when no door has commands).
   */
  public record Context(Door door, ServerEvents events, Clock clock, int maxGreetingsInFlight, AccessControl access,
      EventWriter writer, CommandRunner commandRunner, CommandListener commandEvents) {
    /** For a door without commands. */
    public Context(Door door, ServerEvents events, Clock clock, int maxGreetingsInFlight, AccessControl access,
        EventWriter writer) {
      this(door, events, clock, maxGreetingsInFlight, access, writer, null, CommandListener.NONE);
    }
  }

  public static DoorAction create(Context context) throws DoorAction.ActionException {
    DoorConfig door = context.door().config();
    DoorAction main = mainAction(context);
    if (door.commands().isEmpty()) {
      return main;
    }
    if (context.commandRunner() == null) {
      throw new IllegalStateException("door '" + door.name() + "' has commands but the server has no command runner");
    }
    return new CommandAction(door.name(), door.port(), door.commands(), main, context.commandRunner(),
        context.commandEvents(), door.sharing().commandsEverywhere());
  }

  private static DoorAction mainAction(Context context) throws DoorAction.ActionException {
    DoorConfig door = context.door().config();
    return switch (door.action()) {
      case GREET -> new GreetAction(door, context.door().grants(), context.access(), context.events(),
          context.clock(), context.maxGreetingsInFlight());
      case FORWARD -> forward(context);
      case NONE -> new NoAction();
      case NFTABLES -> new NftablesAction(door, context.access(), context.clock());
    };
  }

  private static DoorAction forward(Context context) {
    DoorConfig door = context.door().config();
    ForwardAction forward = new ForwardAction(door, context.door().grants()::isGranted,
        ForwardEvents.writingTo(context.writer(), door.name(), context.clock()), context.clock());
    return new ForwardDoor(forward, context.door().grants(), context.access(), door.openForNanos());
  }
}
