package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.udpknock.server.LiveHarness.SECOND;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.udpknock.client.KnockClient;
import org.udpknock.core.Addresses;
import org.udpknock.core.KnockSequence;
import org.udpknock.door.DoorConfig;

/**
 * A grant's set element goes from the capture thread straight to the kernel's worker: one
 * thread's wake-up from the knock, not two (the action thread's, then the worker's). The guard
 * here records who hands it over instead of calling nft.
 */
class LiveKernelHandoffTest {
  @Test
  void theCaptureThreadHandsTheGrantToTheKernel() throws Exception {
    List<String> allowed = new CopyOnWriteArrayList<>();
    KnockSequence sequence = LiveHarness.randomSequence();
    ServerConfig config = ServerConfig.singleDoor("lo", sequence, 5 * SECOND, 1000, LiveHarness.freePort(),
        30 * SECOND, null, ServerConfig.DEFAULT_GREETING, false);
    try (LiveHarness live = LiveHarness.start(config, recording(allowed))) {
      live.awaitLog("listening");
      new KnockClient(InetAddress.getByName("127.0.0.1"), null).knock(sequence, 0, new byte[0]);
      live.awaitLog("granted default 127.0.0.1");
      LiveHarness.await(() -> !allowed.isEmpty(), "the grant handed to the kernel");
      assertEquals("127.0.0.1 30000 ms on live-server", allowed.get(0),
          "on the thread that runs the capture (the harness's), not udpknock-actions");
    }
  }

  /** A guard that says the kernel guards every door's port and records each grant it is given. */
  private static DoorGuards recording(List<String> allowed) {
    AccessControl kernel = new AccessControl() {
      @Override
      public void allow(long sourceHi, long sourceLo, int interfaceIndex, long durationNanos) {
        allowed.add(Addresses.format(sourceHi, sourceLo) + " " + durationNanos / 1_000_000 + " ms on "
            + Thread.currentThread().getName());
      }

      @Override
      public boolean guardsServicePort() {
        return true;
      }

      @Override
      public void close() {}
    };
    return new DoorGuards() {
      @Override
      public AccessControl forDoor(DoorConfig door) {
        return kernel;
      }

      @Override
      public void guard(List<DoorConfig> doors, boolean dropOthers) {}
    };
  }
}
