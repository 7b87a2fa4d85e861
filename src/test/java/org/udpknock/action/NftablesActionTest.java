package org.udpknock.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.udpknock.core.Addresses;
import org.udpknock.door.ActionKind;
import org.udpknock.door.DoorConfig;
import org.udpknock.server.AccessControl;
import org.udpknock.server.Clock;

/** The nftables action hands each grant to the kernel's guard with what is left of it, and nothing else. */
class NftablesActionTest {
  private static final long SECOND = 1_000_000_000L;
  private final DoorConfig door = DoorConfig.defaultDoor().named("ssh").withAction(ActionKind.NFTABLES, 22);
  private final AtomicLong now = new AtomicLong(100 * SECOND);
  private final Clock clock = now::get;
  private final List<String> allowed = new ArrayList<>();
  private final AccessControl kernel = new AccessControl() {
    @Override
    public void allow(long sourceHi, long sourceLo, int interfaceIndex, long durationNanos) {
      allowed.add(Addresses.format(sourceHi, sourceLo) + " if" + interfaceIndex + " " + durationNanos / 1_000_000 + "ms");
    }

    @Override
    public boolean guardsServicePort() {
      return true;
    }

    @Override
    public void close() {}
  };

  @Test
  void aGrantBecomesAnElementLastingWhatIsLeftOfTheGrant() throws Exception {
    NftablesAction action = new NftablesAction(door, kernel, clock);
    action.start();
    action.opened(0, Addresses.ipv4Lo(0x0A000002), now.get() + 30 * SECOND);
    now.addAndGet(SECOND / 2); // the action thread came half a second late
    action.opened(0x2001_0db8_0000_0000L, 2, now.get() - SECOND / 2 + 30 * SECOND);
    action.opened(0, Addresses.ipv4Lo(0x0A000003), now.get() - 1); // over already: nothing
    action.closed(0, Addresses.ipv4Lo(0x0A000002)); // the kernel expires it: nothing
    action.close();
    assertEquals(List.of("10.0.0.2 if0 30000ms", "2001:db8::2 if0 29500ms"), allowed);
  }

  /** A knock seen here: all of it on the capture thread, nothing left for the action thread. */
  @Test
  void theKernelsPartIsAllOfItAndTheRestIsNothing() throws Exception {
    NftablesAction action = new NftablesAction(door, kernel, clock);
    assertFalse(action.openingInKernel(0, Addresses.ipv4Lo(0x0A000002), now.get() + 30 * SECOND),
        "nothing left: the action thread is not woken");
    action.openedAfterKernel(0, Addresses.ipv4Lo(0x0A000002), now.get() + 30 * SECOND);
    assertEquals(List.of("10.0.0.2 if0 30000ms"), allowed);
  }

  @Test
  void aLinkLocalSourceGoesWithItsInterface() throws Exception {
    NftablesAction action = new NftablesAction(door, kernel, clock);
    long scoped = Addresses.scopedHi(Addresses.LINK_LOCAL_HI, 7);
    action.opened(scoped, 0x0200_5eff_fe00_5301L, now.get() + 2 * SECOND);
    assertEquals(List.of("fe80::200:5eff:fe00:5301 if7 2000ms"), allowed);
  }

  @Test
  void withoutTheKernelsGuardTheDoorIsRefusedInOneSentence() {
    DoorAction.ActionException e = assertThrows(DoorAction.ActionException.class,
        () -> new NftablesAction(door, AccessControl.NONE, clock));
    assertTrue(e.getMessage().startsWith("door 'ssh': action = \"nftables\" needs nftables"), e.getMessage());
  }
}
