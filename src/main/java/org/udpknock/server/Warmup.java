package org.udpknock.server;

import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.util.List;
import org.udpknock.action.CommandAction;
import org.udpknock.action.CommandListener;
import org.udpknock.action.ForwardAction;
import org.udpknock.action.ForwardEvents;
import org.udpknock.action.NoAction;
import org.udpknock.core.GrantTable;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ResetReason;
import org.udpknock.door.ActionKind;
import org.udpknock.door.Commands;
import org.udpknock.door.DoorConfig;
import org.udpknock.report.DoorEvents;
import org.udpknock.report.EventWriter;

/**
 * Runs the grant path once before capture starts, away from anything real: cold, the first
 * grant took ~30 ms to open the service port (class loading, first event formatting, first
 * thread); warm, ~0.1 ms. The listener is opened on an ephemeral loopback port, never on the
 * service port, so nothing is exposed. Each door's events are warmed, and each kind of action
 * the doors use (greet, forward, commands), not only the first door's.
 */
final class Warmup {
  private Warmup() {}

  /** Every door's events, and the open path of each kind of action the doors use. */
  static void run(List<DoorConfig> doors) {
    try {
      PrintWriter sink = new PrintWriter(Writer.nullWriter());
      for (DoorConfig door : doors) {
        warmEvents(sink, door.name(), door.rules().sequence());
      }
      GrantTable grants = new GrantTable(1, 1);
      grants.grant(0, 1, 0);
      grants.isGranted(0, 1, 0);
      grants.expire(1, 1);
      if (doors.stream().anyMatch(door -> door.action() == ActionKind.GREET)) {
        warmGreet(sink);
      }
      if (doors.stream().anyMatch(door -> door.action() == ActionKind.FORWARD)) {
        warmForward();
      }
      doors.stream().filter(door -> !door.commands().isEmpty()).forEach(Warmup::warmCommands);
    } catch (Exception | LinkageError e) {
      // Warming up is an optimisation: the server works without it.
    }
  }

  private static void warmEvents(PrintWriter sink, String name, KnockSequence sequence) {
    for (boolean json : new boolean[] {false, true}) {
      EventWriter writer = EventWriter.create(json, sink);
      writer.setTimeDigits(9);
      DoorEvents door = writer.forDoor(name, sequence.length());
      door.knock(0, 0, 1, sequence.firstPort(), 1);
      door.granted(0, 0, 1);
      door.reset(0, 0, 1, ResetReason.EXPIRED);
      door.serverEvent("warmup", 0, "::1", "port", 1);
    }
  }

  private static void warmGreet(PrintWriter sink) throws Exception {
    ServerEvents quiet = new ServerEvents(EventWriter.create(false, sink), Clock.SYSTEM);
    ServiceListener listener = new ServiceListener(InetAddress.getLoopbackAddress(), 0, "",
        address -> false, quiet, Clock.SYSTEM, ServerConfig.DEFAULT_GREETING_TIMEOUT_NANOS, 1);
    try {
      for (int i = 0; i < 2; i++) { // The first open makes the loop; the second is a grant's, on a live loop.
        listener.open();
        listener.close();
      }
    } finally {
      listener.shutdown();
    }
  }

  /** Its thread, selector and a bind of an ephemeral loopback port; never the door's port. */
  private static void warmForward() throws Exception {
    DoorConfig door = new DoorConfig("warmup", DoorConfig.defaultDoor().rules(), 1, ActionKind.FORWARD, 0,
        InetAddress.getLoopbackAddress(), "", 1, "127.0.0.1:1", 1, 1, Commands.NONE);
    ForwardAction forward = new ForwardAction(door, (hi, lo, now) -> false, ForwardEvents.NONE, Clock.SYSTEM);
    try {
      forward.start();
      forward.openPort();
      forward.closePort();
    } finally {
      forward.close();
    }
  }

  /** Renders the door's templates once (a command runs only on a real grant). */
  private static void warmCommands(DoorConfig door) {
    new CommandAction(door.name(), door.port(), door.commands(), new NoAction(), null, CommandListener.NONE);
  }
}
