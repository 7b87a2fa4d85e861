package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Collections;
import org.junit.jupiter.api.Test;

class LocalAddressesTest {
  private final LocalAddresses local = new LocalAddresses();

  private boolean accepts(String address) throws Exception {
    long[] key = LocalAddresses.key(InetAddress.getByName(address));
    return local.accepts(key[0], key[1]);
  }

  @Test
  void loopbackAddressesAreThisHost() throws Exception {
    assertTrue(accepts("127.0.0.1"));
    assertTrue(accepts("127.0.0.2"), "Linux answers for all of 127.0.0.0/8");
    assertTrue(accepts("::1"));
  }

  @Test
  void everyInterfaceAddressIsThisHost() throws Exception {
    for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nif.getInetAddresses())) {
        long[] key = LocalAddresses.key(address);
        assertTrue(local.accepts(key[0], key[1]), address + " of " + nif.getName());
      }
    }
  }

  @Test
  void documentationAddressesAreNot() throws Exception {
    assertFalse(accepts("198.51.100.7"));
    assertFalse(accepts("2001:db8::77"));
    assertFalse(accepts("128.0.0.1"));
  }

  @Test
  void aLinkLocalAddressIsKeyedWithItsScope() throws Exception {
    byte[] bytes = InetAddress.getByName("fe80::99").getAddress();
    long[] key = LocalAddresses.key(java.net.Inet6Address.getByAddress(null, bytes, 7));
    org.junit.jupiter.api.Assertions.assertArrayEquals(
        new long[] {org.udpknock.core.Addresses.scopedHi(org.udpknock.core.Addresses.LINK_LOCAL_HI, 7), 0x99}, key);
  }
}
