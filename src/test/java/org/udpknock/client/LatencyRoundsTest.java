package org.udpknock.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class LatencyRoundsTest {
  private static Inet4Address v4(String address) throws Exception {
    return (Inet4Address) InetAddress.getByName(address);
  }

  private static String nth(String first, int n) throws Exception {
    return LatencyRounds.nthAddress(v4(first), n).getHostAddress();
  }

  @Test
  void eachRoundHasTheNextAddress() throws Exception {
    assertEquals("127.1.0.1", nth("127.1.0.1", 0));
    assertEquals("127.1.0.255", nth("127.1.0.1", 254));
    assertEquals("127.1.1.0", nth("127.1.0.255", 1), "carries into the next byte");
    assertEquals("127.1.3.232", nth("127.1.0.0", 1000));
    assertEquals("127.255.255.255", nth("127.0.0.0", 0xffffff));
    assertEquals("10.0.1.0", nth("10.0.0.200", 56));
  }

  @Test
  void theAddressesStayInTheFirstOnesSlashEight() {
    // 127.255.255.255 + 1 would be 128.0.0.0: no longer loopback.
    assertThrows(IllegalArgumentException.class, () -> nth("127.255.255.255", 1));
    assertThrows(IllegalArgumentException.class, () -> nth("127.0.0.0", 0x1000000));
    assertThrows(IllegalArgumentException.class, () -> nth("255.255.255.255", 1));
    assertThrows(IllegalArgumentException.class, () -> nth("127.1.0.1", -1));
  }
}
