package org.udpknock.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.udpknock.fixtures.Packets.ARPHRD_ETHER;
import static org.udpknock.fixtures.Packets.ARPHRD_LOOPBACK;
import static org.udpknock.fixtures.Packets.ethernet;
import static org.udpknock.fixtures.Packets.linuxSll2;
import static org.udpknock.fixtures.Packets.udpKnock;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.udpknock.core.Addresses;
import org.udpknock.core.GrantTable;
import org.udpknock.core.KnockEngine;
import org.udpknock.core.KnockListener;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ResetReason;
import org.udpknock.core.ScanGuard;
import org.udpknock.decode.LinkKind;
import org.udpknock.decode.LinkType;
import org.udpknock.door.Door;
import org.udpknock.door.DoorConfig;
import org.udpknock.door.DoorWiring;
import org.udpknock.door.GrantHandler;
import org.udpknock.report.EventWriter;

/** The host's acceptance rules in the pipeline: what the kernel would drop is no knock. */
class HostRulesPipelineTest {
  private static final Ingress VETH = new Ingress(7, "veth0", LinkKind.OTHER);
  private static final Ingress LO = new Ingress(1, "lo", LinkKind.LOOPBACK);
  private final List<String> grants = new ArrayList<>();
  private final List<DoorConfig> doors = List.of(DoorConfig.defaultDoor()
      .withRules(new DoorConfig.KnockRules(KnockSequence.DEFAULT, 5_000_000_000L, 0, null)));
  private final DoorWiring wiring = new DoorWiring(100, 100, Long.MIN_VALUE, new java.util.concurrent.atomic.AtomicBoolean(false), false,
      () -> Long.MIN_VALUE, new GrantHandler() {
        @Override public void opened(Door door, long hi, long lo, long expiresAt) { grants.add(Addresses.format(hi, lo)); }
        @Override public void closed(Door door, GrantTable.Removal removal) {}
      });
  private final EventWriter writer = EventWriter.create(false, new PrintWriter(Writer.nullWriter()));
  private final FramePipeline pipeline = FramePipeline.of(doors, writer, wiring, DestinationFilter.ANY);

  private void knockSequence(Ingress ingress, String source, String destination) {
    for (int i = 0; i < 3; i++) {
      byte[] frame = ethernet(udpKnock(source, destination, 40000, 12001 + i));
      pipeline.onFrame(i, LinkType.ETHERNET, ingress, frame, 0, frame.length);
    }
  }

  @ParameterizedTest(name = "{0} -> {1} on a non-loopback link is refused")
  @CsvSource({
    "::ffff:10.99.0.2, 2001:db8::10",   // IPv4-mapped source over IPv6
    "::10.99.0.2, 2001:db8::10",        // IPv4-compatible: the rest of ::/8
    "::, 2001:db8::10",                 // unspecified
    "::1, 2001:db8::10",                // loopback source off loopback
    "2001:db8::2, ::1",                 // loopback destination off loopback
    "2001:db8::2, ::ffff:192.0.2.10",   // an IPv4-mapped destination would match an IPv4 address
    "ff02::1, 2001:db8::10",            // multicast source
    "fe80:0:0:1::99, 2001:db8::10",     // link-local outside fe80::/64
    "10.99.0.2, 127.0.0.1",             // loopback destination on a veth
    "127.0.0.5, 192.0.2.10",            // loopback source on a veth
    "224.0.0.5, 192.0.2.10",            // multicast source
    "255.255.255.255, 192.0.2.10",      // broadcast source
    "0.0.0.0, 192.0.2.10",              // this-network source
  })
  void refusedOffLoopback(String source, String destination) {
    knockSequence(VETH, source, destination);
    assertEquals(List.of(), grants);
    assertEquals(3, pipeline.notForThisHost());
    assertEquals(0, pipeline.doors().get(0).engine().knocks());
  }

  @ParameterizedTest(name = "{0} -> {1} on lo counts")
  @CsvSource({"127.0.0.1, 127.0.0.1", "::1, ::1", "10.99.0.2, 127.0.0.1"})
  void loopbackAddressesCountOnLoopback(String source, String destination) {
    knockSequence(LO, source, destination);
    assertEquals(List.of(source), grants);
  }

  @Test
  void loopbackAddressesCountWhereTheInterfaceIsUnknown() {
    knockSequence(Ingress.UNKNOWN, "127.0.0.1", "127.0.0.1"); // replay of an Ethernet capture of lo
    assertEquals(List.of("127.0.0.1"), grants);
  }

  @Test
  void anSll2HardwareTypeOverridesTheCapture() {
    Ingress any = new Ingress(0, "any", LinkKind.UNKNOWN);
    for (int i = 0; i < 3; i++) {
      byte[] veth = linuxSll2(udpKnock("10.99.0.2", "127.0.0.1", 40000, 12001 + i), 7, ARPHRD_ETHER);
      pipeline.onFrame(i, LinkType.LINUX_SLL2, any, veth, 0, veth.length);
    }
    assertEquals(3, pipeline.notForThisHost());
    for (int i = 0; i < 3; i++) {
      byte[] lo = linuxSll2(udpKnock("127.0.0.1", "127.0.0.1", 40000, 12001 + i), 1, ARPHRD_LOOPBACK);
      pipeline.onFrame(10 + i, LinkType.LINUX_SLL2, any, lo, 0, lo.length);
    }
    assertEquals(List.of("127.0.0.1"), grants);
  }

  @Test
  void linkLocalSourcesAreKeyedByTheirInterface() {
    Ingress other = new Ingress(8, "veth1", LinkKind.OTHER);
    for (int i = 0; i < 3; i++) {
      Ingress ingress = i == 1 ? other : VETH; // the middle knock comes from another link
      byte[] frame = ethernet(udpKnock("fe80::99", "fe80::1", 40000, 12001 + i));
      pipeline.onFrame(i, LinkType.ETHERNET, ingress, frame, 0, frame.length);
    }
    assertEquals(List.of(), grants, "fe80::99 on link 8 is not fe80::99 on link 7");
    for (int i = 0; i < 3; i++) {
      byte[] frame = ethernet(udpKnock("fe80::99", "fe80::1", 40000, 12001 + i));
      pipeline.onFrame(10 + i, LinkType.ETHERNET, VETH, frame, 0, frame.length);
    }
    assertEquals(List.of("fe80::99%7"), grants);
  }

  @Test
  void theSll2InterfaceIndexScopesLinkLocalSources() {
    for (int i = 0; i < 3; i++) {
      byte[] frame = linuxSll2(udpKnock("fe80::99", "fe80::1", 40000, 12001 + i), 12, ARPHRD_ETHER);
      pipeline.onFrame(i, LinkType.LINUX_SLL2, new Ingress(0, "any", LinkKind.UNKNOWN), frame, 0, frame.length);
    }
    assertEquals(List.of("fe80::99%12"), grants);
  }

  @Test
  void taggedFramesCountOnlyWhereTheFilterHasTheirVlan() {
    DestinationFilter vlan42Only = new DestinationFilter() {
      @Override public boolean accepts(long hi, long lo) { return true; }
      @Override public boolean acceptsVlans(String name, int[] ids, int count) {
        return "veth0".equals(name) && count == 1 && ids[0] == 42;
      }
    };
    FramePipeline host = FramePipeline.of(doors, writer, wiring, vlan42Only);
    for (int i = 0; i < 3; i++) {
      byte[] qinq = ethernet(udpKnock("10.0.0.1", "192.0.2.10", 40000, 12001 + i), 0x88a8, 0x8100);
      host.onFrame(i, LinkType.ETHERNET, VETH, qinq, 0, qinq.length);
    }
    assertEquals(3, host.notForThisHost(), "tags 42.42: no such VLAN interface");
    for (int i = 0; i < 3; i++) {
      byte[] tagged = ethernet(udpKnock("10.0.0.1", "192.0.2.10", 40000, 12001 + i), 0x8100);
      host.onFrame(10 + i, LinkType.ETHERNET, VETH, tagged, 0, tagged.length);
    }
    assertEquals(List.of("10.0.0.1"), grants);
  }
}
