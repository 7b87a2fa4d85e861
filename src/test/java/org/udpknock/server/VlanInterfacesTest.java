package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class VlanInterfacesTest {
  private final VlanInterfaces vlans = VlanInterfaces.parse(List.of(
      "VLAN Dev name\t | VLAN ID",
      "Name-Type: VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD",
      "eth0.5         | 5  | eth0",
      "outer          | 100  | eth1",
      "inner          | 7  | outer"));

  @Test
  void aTagCountsOnlyThroughAVlanInterfaceOnTheCaptureInterface() {
    assertTrue(vlans.reaches("eth0", new int[] {5}, 1));
    assertFalse(vlans.reaches("eth0", new int[] {6}, 1), "no VLAN 6 on eth0");
    assertFalse(vlans.reaches("eth1", new int[] {5}, 1), "VLAN 5 is on eth0, not eth1");
  }

  @Test
  void stackedTagsFollowTheChainOfVlanInterfaces() {
    assertTrue(vlans.reaches("eth1", new int[] {100, 7}, 2));
    assertFalse(vlans.reaches("eth1", new int[] {100, 8}, 2));
    assertFalse(vlans.reaches("eth1", new int[] {7, 100}, 2));
  }

  @Test
  void vlanZeroIsOnlyAPriorityTag() {
    assertTrue(vlans.reaches("eth0", new int[] {0}, 1));
    assertTrue(vlans.reaches("eth0", new int[] {0, 5}, 2));
  }

  @Test
  void withoutThe8021qModuleThereAreNoVlans() {
    VlanInterfaces none = VlanInterfaces.read(Path.of("/nonexistent/proc/net/vlan/config"));
    assertFalse(none.reaches("eth0", new int[] {5}, 1));
    assertTrue(none.reaches("eth0", new int[] {0}, 1));
  }
}
