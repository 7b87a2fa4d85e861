package org.udpknock.server;

import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import org.udpknock.core.GrantTable;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ResetReason;
import org.udpknock.report.DoorEvents;
import org.udpknock.report.EventWriter;

/**
 * Runs the grant path once before capture starts, away from anything real: cold, the first
 * grant took ~30 ms to open the service port (class loading, first event formatting, first
 * thread); warm, ~0.1 ms. The listener is opened on an ephemeral loopback port, never on the
 * service port, so nothing is exposed.
 */
final class Warmup {
  private Warmup() {}

  static void run(KnockSequence sequence) {
    try {
      PrintWriter sink = new PrintWriter(Writer.nullWriter());
      for (boolean json : new boolean[] {false, true}) {
        EventWriter writer = EventWriter.create(json, sink);
        writer.setTimeDigits(9);
        DoorEvents door = writer.forDoor("warmup", sequence.length());
        door.knock(0, 0, 1, sequence.firstPort(), 1);
        door.granted(0, 0, 1);
        door.reset(0, 0, 1, ResetReason.EXPIRED);
        door.serverEvent("warmup", 0, "::1", "port", 1);
      }
      GrantTable grants = new GrantTable(1, 1);
      grants.grant(0, 1, 0);
      grants.isGranted(0, 1, 0);
      grants.expire(1, 1);
      ServerEvents quiet = new ServerEvents(EventWriter.create(false, sink), Clock.SYSTEM);
      ServiceListener listener = new ServiceListener(InetAddress.getLoopbackAddress(), 0, "",
          address -> false, quiet, Clock.SYSTEM, ServerConfig.DEFAULT_GREETING_TIMEOUT_NANOS, 1);
      listener.open();
      listener.close();
    } catch (Exception | LinkageError e) {
      // Warming up is an optimisation: the server works without it.
    }
  }
}
