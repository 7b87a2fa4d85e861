package org.udpknock.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.udpknock.core.Addresses;

/** The command texts udpknock gives nftables, built from parsed addresses and checked names only. */
class NftTableTest {
  private static final GuardedPort SERVICE = new GuardedPort("service", 2223);
  private static final NftTable TABLE = new NftTable("udpknock", List.of(SERVICE));
  private static final long V4_10_0_0_1 = Addresses.ipv4Lo(0x0A000001);
  private static final long DB8_HI = 0x2001_0db8_0000_0000L; // 2001:db8::/64
  private static final long FE80_HI = 0xfe80_0000_0000_0000L; // fe80::/64

  @Test
  void setUpAddsTheTableSetsAndChainAndReplacesOnlyTheRules() {
    assertEquals("""
        add table inet udpknock
        add set inet udpknock service_v4 { type ipv4_addr; flags timeout; }
        add set inet udpknock service_v6 { type ipv6_addr; flags timeout; }
        add set inet udpknock service_ll { type iface_index . ipv6_addr; flags timeout; }
        add chain inet udpknock input { type filter hook input priority filter; policy accept; }
        flush chain inet udpknock input
        add rule inet udpknock input tcp dport 2223 ct state established,related accept
        add rule inet udpknock input tcp dport 2223 ip saddr @service_v4 accept
        add rule inet udpknock input tcp dport 2223 ip6 saddr fe80::/10 meta iif . ip6 saddr @service_ll accept
        add rule inet udpknock input tcp dport 2223 ip6 saddr != fe80::/10 ip6 saddr @service_v6 accept
        add rule inet udpknock input tcp dport 2223 reject with tcp reset
        """, TABLE.setUpCommands());
  }

  @Test
  void doorsOnTheSamePortShareItsRulesSoThatEitherDoorsSetsPassAndTheRestGetOneReset() {
    NftTable two = new NftTable("udpknock", List.of(new GuardedPort("ssh", 22), new GuardedPort("ssh_b", 22),
        new GuardedPort("service", 2223)));
    String rules = two.setUpCommands().lines().filter(line -> line.startsWith("add rule"))
        .map(line -> line.substring("add rule inet udpknock input ".length())).reduce((a, b) -> a + "\n" + b).orElse("");
    assertEquals("""
        tcp dport 22 ct state established,related accept
        tcp dport 22 ip saddr @ssh_v4 accept
        tcp dport 22 ip6 saddr fe80::/10 meta iif . ip6 saddr @ssh_ll accept
        tcp dport 22 ip6 saddr != fe80::/10 ip6 saddr @ssh_v6 accept
        tcp dport 22 ip saddr @ssh_b_v4 accept
        tcp dport 22 ip6 saddr fe80::/10 meta iif . ip6 saddr @ssh_b_ll accept
        tcp dport 22 ip6 saddr != fe80::/10 ip6 saddr @ssh_b_v6 accept
        tcp dport 22 reject with tcp reset
        tcp dport 2223 ct state established,related accept
        tcp dport 2223 ip saddr @service_v4 accept
        tcp dport 2223 ip6 saddr fe80::/10 meta iif . ip6 saddr @service_ll accept
        tcp dport 2223 ip6 saddr != fe80::/10 ip6 saddr @service_v6 accept
        tcp dport 2223 reject with tcp reset""", rules);
    assertThrows(IllegalArgumentException.class,
        () -> new NftTable("udpknock", List.of(new GuardedPort("ssh", 22), new GuardedPort("ssh", 2222))));
  }

  @Test
  void setsNoDoorUsesAnyMoreAreDeletedAfterTheFlushAndLiveOnesAreKept() {
    String text = TABLE.setUpCommands(List.of("service_v4", "service_ll", "old_v4", "old_ll", "Bad;name_v4"));
    assertTrue(text.contains("flush chain inet udpknock input\ndelete set inet udpknock old_v4\n"
        + "delete set inet udpknock old_ll\nadd rule"), text);
    assertFalse(text.contains("delete set inet udpknock service"), text);
    assertFalse(text.contains("Bad"), "only names udpknock could have made reach the text: " + text);
  }

  @Test
  void doorNamesMapToDistinctNftNamesTheSameAtEveryStart() {
    assertEquals("ssh", GuardedPort.setsFor("ssh"));
    assertEquals("service", GuardedPort.setsFor("default"));
    List<String> doors = List.of("ssh", "SSH", "Ssh", "a-b", "a_b", "service", "default", "door1",
        "x".repeat(32), "x".repeat(31) + "y", "ssh-relay", "ssh_relay");
    java.util.Set<String> names = new java.util.HashSet<>();
    for (String door : doors) {
      String name = GuardedPort.setsFor(door);
      assertTrue(GuardedPort.NAME.matcher(name).matches(), door + " -> " + name);
      assertTrue(names.add(name), "two doors share " + name);
      assertEquals(name, GuardedPort.setsFor(door), "stable");
    }
    assertTrue(GuardedPort.setsFor("a-b").startsWith("a_b_"), GuardedPort.setsFor("a-b"));
  }

  @Test
  void recreateDropsOnlyOurTableFirst() {
    String text = new NftTable("uk_test1", List.of(new GuardedPort("service", 40000))).recreateCommands();
    assertTrue(text.startsWith("add table inet uk_test1\ndelete table inet uk_test1\nadd table inet uk_test1\n"), text);
    assertTrue(text.contains("tcp dport 40000 reject with tcp reset\n"), text);
    assertFalse(text.contains("ruleset"), "never flushes the administrator's ruleset: " + text);
  }

  @Test
  void aGrantIsAddedDeletedAndAddedAgainSoThatARenewalRenewsItsTimeout() {
    Allowance grant = new Allowance(0, V4_10_0_0_1, 0, 30_000);
    assertEquals("""
        add element inet udpknock service_v4 { 10.0.0.1 timeout 1s }
        delete element inet udpknock service_v4 { 10.0.0.1 }
        add element inet udpknock service_v4 { 10.0.0.1 timeout 30000ms }
        """, TABLE.allowCommands(SERVICE, List.of(grant)));
  }

  @Test
  void sourcesGoToTheSetOfTheirFamilyAndLinkLocalOnesWithTheirInterface() {
    List<Allowance> grants = List.of(
        new Allowance(0, V4_10_0_0_1, 7, 1),
        new Allowance(DB8_HI, 1, 7, 2), // 2001:db8::1: the interface does not matter
        new Allowance(FE80_HI, 0x0200_5eff_fe00_5301L, 3, 29_999),
        new Allowance(0, Addresses.ipv4Lo(0xC0A80102), 0, 5)); // 192.168.1.2
    String last = TABLE.allowCommands(SERVICE, grants).lines().filter(line -> line.contains("timeout") && !line.contains("1s"))
        .reduce((a, b) -> a + "\n" + b).orElse("");
    assertEquals("""
        add element inet udpknock service_v4 { 10.0.0.1 timeout 1ms, 192.168.1.2 timeout 5ms }
        add element inet udpknock service_v6 { 2001:db8::1 timeout 2ms }
        add element inet udpknock service_ll { 3 . fe80::200:5eff:fe00:5301 timeout 29999ms }""", last);
  }

  @Test
  void everyAddressFormIsPrintedAsNftParsesIt() {
    assertEquals("0.0.0.1", new Allowance(0, Addresses.ipv4Lo(1), 0, 1).key()); // IPv4-mapped: a dotted quad
    assertEquals("10.0.0.1", new Allowance(0, V4_10_0_0_1, 9, 1).key());
    assertEquals("::1", new Allowance(0, 1, 0, 1).key());
    assertEquals("1 . febf::", new Allowance(0xfebf_0000_0000_0000L, 0, 1, 1).key()); // last of fe80::/10
    assertEquals("fec0::", new Allowance(0xfec0_0000_0000_0000L, 0, 1, 1).key()); // just past it
  }

  @Test
  void namesOutsideTheFixedAlphabetAreRefused() {
    for (String bad : new String[] {"", "Udpknock", "1table", "a b", "a;flush ruleset", "x".repeat(25), "uk-1"}) {
      assertThrows(IllegalArgumentException.class, () -> new NftTable(bad, List.of(SERVICE)), bad);
      assertThrows(IllegalArgumentException.class, () -> new GuardedPort(bad, 22), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> new GuardedPort("ssh", 0));
    assertThrows(IllegalArgumentException.class, () -> new GuardedPort("ssh", 65536));
    assertThrows(IllegalArgumentException.class, () -> new Allowance(0, 1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new NftTable("udpknock", new ArrayList<>()));
  }

  @Test
  void installKeepsAFittingTableAndRebuildsOneThatDoesNotFit() throws NftException {
    List<String> ran = new ArrayList<>();
    assertTrue(TABLE.install(ran::add));
    assertEquals(List.of(TABLE.setUpCommands()), ran);

    ran.clear();
    NftRunner misfit = commands -> {
      ran.add(commands);
      if (!commands.contains("delete table")) {
        throw new NftException("Could not process rule: File exists");
      }
    };
    assertFalse(TABLE.install(misfit));
    assertEquals(List.of(TABLE.setUpCommands(), TABLE.recreateCommands()), ran);
  }

  @Test
  void withoutCapNetAdminInstallFailsAndRebuildsNothing() {
    List<String> ran = new ArrayList<>();
    NftRunner unprivileged = commands -> {
      ran.add(commands);
      throw new NftException("netlink: Error: cache initialization failed: Operation not permitted");
    };
    NftException e = assertThrows(NftException.class, () -> TABLE.install(unprivileged));
    assertTrue(e.isPermissionDenied());
    assertEquals(1, ran.size());
  }

  @Test
  void nftErrorsAreCutToTheirFirstLine() {
    assertEquals("Could not process rule: No such file or directory",
        NftContext.oneLine("Error: Could not process rule: No such file or directory\ndelete element inet x s { 1.2.3.4 }\n^^^^\n"));
    assertEquals("nftables refused the command", NftContext.oneLine(""));
  }

  @Test
  void capNetAdminIsReadFromTheEffectiveSet(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path status = dir.resolve("status");
    java.nio.file.Files.writeString(status, "Name:\tjava\nCapEff:\t0000000000002000\n"); // CAP_NET_RAW only
    assertFalse(NftContext.hasNetAdmin(status));
    java.nio.file.Files.writeString(status, "CapEff:\t0000000000003000\n"); // and CAP_NET_ADMIN
    assertTrue(NftContext.hasNetAdmin(status));
    java.nio.file.Files.writeString(status, "CapEff:\t000001ffffffffff\n"); // root
    assertTrue(NftContext.hasNetAdmin(status));
  }
}
