package org.udpknock.action;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.Writer;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.udpknock.core.Addresses;
import org.udpknock.core.GrantTable;
import org.udpknock.door.ActionKind;
import org.udpknock.door.DoorConfig;
import org.udpknock.report.EventWriter;
import org.udpknock.server.AccessControl;
import org.udpknock.server.Clock;
import org.udpknock.server.ServerEvents;

/**
 * A greeting door's grant on the capture thread: where the kernel guards the port, the listener
 * is bound from the start and the action thread has nothing left to do (it is not woken).
 */
class GreetActionTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long SOURCE = Addresses.ipv4Lo(0x7F000001);

  @Test
  void behindTheKernelsGuardNothingIsLeftForTheActionThread() throws Exception {
    try (GreetAction action = greet(true)) {
      action.start();
      assertFalse(action.openingInKernel(0, SOURCE, 30 * SECOND), "the listener is bound already");
    }
  }

  @Test
  void withoutTheGuardTheActionThreadBindsThePort() throws Exception {
    try (GreetAction action = greet(false)) {
      action.start();
      assertTrue(action.openingInKernel(0, SOURCE, 30 * SECOND), "the port is bound on a grant");
    }
  }

  /** A guarded port whose bind failed at the start (the port was busy): a grant tries it again. */
  @Test
  void behindTheGuardAListenerThatIsNotBoundIsLeftToTheActionThread() throws Exception {
    try (ServerSocket busy = new ServerSocket(0)) {
      try (GreetAction action = greet(true, busy.getLocalPort())) {
        action.start();
        assertTrue(action.openingInKernel(0, SOURCE, 30 * SECOND), "the action thread binds it");
      }
    }
  }

  private static GreetAction greet(boolean guarded) throws Exception {
    try (ServerSocket free = new ServerSocket(0)) {
      return greet(guarded, free.getLocalPort());
    }
  }

  private static GreetAction greet(boolean guarded, int port) {
    DoorConfig door = DoorConfig.defaultDoor().withAction(ActionKind.GREET, port);
    ServerEvents events = new ServerEvents(EventWriter.create(false, new PrintWriter(Writer.nullWriter())), Clock.SYSTEM);
    return new GreetAction(door, new GrantTable(30 * SECOND, 10), guard(guarded), events, Clock.SYSTEM, 1);
  }

  private static AccessControl guard(boolean guarded) {
    return new AccessControl() {
      @Override
      public void allow(long sourceHi, long sourceLo, int interfaceIndex, long durationNanos) {}

      @Override
      public boolean guardsServicePort() {
        return guarded;
      }

      @Override
      public void close() {}
    };
  }
}
