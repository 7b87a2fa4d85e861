package org.udpknock.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The sets read from nft's listing of a table, as {@code nft list table inet udpknock} prints it. */
class NftContextTest {
  private static final String LISTING = """
      table inet udpknock {
      \tset service_v4 {
      \t\ttype ipv4_addr
      \t\tflags timeout
      \t}

      \tset service_v6 {
      \t\ttype ipv6_addr
      \t\tflags timeout
      \t}

      \tset service_ll {
      \t\ttype iface_index . ipv6_addr
      \t\tflags timeout
      \t}

      \tchain input {
      \t\ttype filter hook input priority filter; policy accept;
      \t\ttcp dport 2401 ip saddr @service_v4 accept
      \t\ttcp dport 2401 reject with tcp reset
      \t}
      }
      """;

  @Test
  void eachSetIsNamedOnceInItsOrder() {
    assertEquals(List.of("service_v4", "service_v6", "service_ll"), NftContext.setNamesListed(LISTING));
  }

  @Test
  void chainsRulesAndOtherLinesAreNotSets() {
    assertEquals(List.of(), NftContext.setNamesListed("table inet udpknock {\n\tchain input {\n\t\tip saddr @set accept\n\t}\n}\n"));
    assertEquals(List.of(), NftContext.setNamesListed(""));
    assertEquals(List.of(), NftContext.setNamesListed("\tset two words {\n\tset {\n\tsets x {\n\tset x\n"));
  }
}
