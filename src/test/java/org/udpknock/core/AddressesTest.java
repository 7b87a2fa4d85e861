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
}
