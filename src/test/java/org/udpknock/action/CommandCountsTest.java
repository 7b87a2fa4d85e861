package org.udpknock.action;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.udpknock.report.EventWriter;
import org.udpknock.server.Clock;

/**
 * Issue 12, metrics: every command event the log writes is also counted, per door, hook and
 * outcome ({@code udpknock_commands_total}), so that metrics read what the log says.
 */
class CommandCountsTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void eachOutcomeIsCountedForItsDoorAndHook() {
    StringWriter log = new StringWriter();
    EventWriter writer = EventWriter.create(false, new PrintWriter(log, true));
    CommandEventLog events = new CommandEventLog(writer, false, Clock.SYSTEM);
    Command open = command("ssh", Command.Hook.ON_OPEN);
    Command close = command("ssh", Command.Hook.ON_CLOSE);
    events.finished(open, 0, "", SECOND);
    events.finished(open, 0, "", SECOND);
    events.finished(open, 3, "", SECOND);
    events.timedOut(close, "", 10 * SECOND);
    events.failedToStart(close, "no such file");
    events.dropped(open, "queue-full");
    events.refused("web", Command.Hook.ON_OPEN, 0, 1, "not an address");

    assertEquals(2, events.count("ssh", Command.Hook.ON_OPEN, CommandEventLog.Outcome.OK));
    assertEquals(1, events.count("ssh", Command.Hook.ON_OPEN, CommandEventLog.Outcome.FAILED));
    assertEquals(1, events.count("ssh", Command.Hook.ON_OPEN, CommandEventLog.Outcome.DROPPED));
    assertEquals(1, events.count("ssh", Command.Hook.ON_CLOSE, CommandEventLog.Outcome.TIMEOUT));
    assertEquals(1, events.count("ssh", Command.Hook.ON_CLOSE, CommandEventLog.Outcome.ERROR));
    assertEquals(0, events.count("ssh", Command.Hook.ON_CLOSE, CommandEventLog.Outcome.OK));
    assertEquals(1, events.count("web", Command.Hook.ON_OPEN, CommandEventLog.Outcome.REFUSED));
    assertEquals(0, events.count("none", Command.Hook.ON_OPEN, CommandEventLog.Outcome.OK));
    writer.flush();
    assertEquals(7, log.toString().lines().count(), "one line per event, as before: " + log);
  }

  private static Command command(String door, Command.Hook hook) {
    return new Command(door, hook, 0, 0xFFFF_7F00_0001L, List.of("/bin/true"), 10 * SECOND);
  }
}
