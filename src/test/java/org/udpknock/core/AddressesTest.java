package org.udpknock.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressesTest {

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, 127.0.0.1",
    "0.0.0.0, 0.0.0.0",
    "255.255.255.255, 255.255.255.255",
    "::1, ::1",
    "::, ::",
    "2001:db8::1, 2001:db8::1",
    // RFC 5952 4.1: no leading zeros. 4.2.2: a single zero group is not shortened.
    "2001:0db8:0000:0001:0001:0001:0001:0001, 2001:db8:0:1:1:1:1:1",
    // 4.2.3: the longest run is shortened; on a tie, the first.
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
    // 4.3: lower case.
    "2001:DB8::ABCD, 2001:db8::abcd",
    "fe80:0:0:0:1::, fe80::1:0:0:0",
    "1:0:0:0:0:0:0:0, 1::",
  })
  void formatsInRfc5952Form(String input, String expected) throws Exception {
    byte[] bytes = InetAddress.getByName(input).getAddress();
    long hi;
    long lo;
    if (bytes.length == 4) {
      hi = 0;
      lo = Addresses.ipv4Lo(new BigInteger(1, bytes).intValue());
    } else {
      hi = new BigInteger(1, java.util.Arrays.copyOfRange(bytes, 0, 8)).longValue();
      lo = new BigInteger(1, java.util.Arrays.copyOfRange(bytes, 8, 16)).longValue();
    }
    assertEquals(expected, Addresses.format(hi, lo));
  }

  @org.junit.jupiter.api.Test
  void aLinkLocalKeyCarriesItsInterfaceIndex() {
    long hi = Addresses.scopedHi(Addresses.LINK_LOCAL_HI, 7);
    assertEquals(0x00FE_8000_0000_0007L, hi);
    org.junit.jupiter.api.Assertions.assertTrue(Addresses.isScoped(hi));
    assertEquals(7, Addresses.scopeOf(hi));
    assertEquals("fe80::99%7", Addresses.format(hi, 0x99));
    assertEquals("fe80::99%eth0", Addresses.format(hi, 0x99, index -> index == 7 ? "eth0" : "?"));
    assertEquals(-1, Addresses.scopeOf(Addresses.scopedHi(Addresses.LINK_LOCAL_HI, -1)), "indexes are unsigned 32 bits");
  }

  @org.junit.jupiter.api.Test
  void otherKeysAreNotScoped() {
    assertEquals(0x2001_0db8_0000_0000L, Addresses.scopedHi(0x2001_0db8_0000_0000L, 7));
    assertEquals(0, Addresses.scopeOf(0)); // IPv4 and ::1
    assertEquals(0, Addresses.scopeOf(0x2001_0db8_0000_0000L));
    assertEquals(0, Addresses.scopeOf(Addresses.LINK_LOCAL_HI), "an unscoped fe80::/64 key");
  }
}
