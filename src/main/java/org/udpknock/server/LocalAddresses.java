package org.udpknock.server;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.udpknock.core.Addresses;
import org.udpknock.pipeline.DestinationFilter;

/**
 * Accepts datagrams addressed to this host: any address of its interfaces (a link-local one
 * only on its own interface), and all of 127.0.0.0/8, which Linux answers for on {@code lo};
 * and tagged frames only where the host has VLAN interfaces for their tags. A snapshot read by
 * the capture thread, refreshed from time to time by another.
 */
public final class LocalAddresses implements DestinationFilter {
  private static final long LOOPBACK_NET_MASK = 0xFFFF_FFFF_FF00_0000L;
  private static final long LOOPBACK_NET = Addresses.ipv4Lo(0x7F000000);
  /** The 8021q module's list of VLAN interfaces; absent when it is not loaded (then there are none). */
  static final Path VLAN_CONFIG = Path.of("/proc/net/vlan/config");

  private final Path vlanConfig;
  /** Addresses as {hi, lo} pairs, flattened: replaced whole, never changed in place. */
  private volatile long[] addresses = new long[0];
  private volatile VlanInterfaces vlans = VlanInterfaces.NONE;
  private volatile Map<Integer, String> interfaceNames = Map.of();

  public LocalAddresses() {
    this(VLAN_CONFIG);
  }

  LocalAddresses(Path vlanConfig) {
    this.vlanConfig = vlanConfig;
    refresh();
  }

  @Override
  public boolean acceptsVlans(String interfaceName, int[] vlanIds, int count) {
    return interfaceName == null || vlans.reaches(interfaceName, vlanIds, count);
  }

  @Override
  public boolean accepts(long hi, long lo) {
    if (hi == 0 && (lo & LOOPBACK_NET_MASK) == LOOPBACK_NET) {
      return true;
    }
    long[] snapshot = addresses;
    for (int i = 0; i < snapshot.length; i += 2) {
      if (snapshot[i] == hi && snapshot[i + 1] == lo) {
        return true;
      }
    }
    return false;
  }

  /** Reads the interfaces' addresses and VLAN interfaces again: they change when links come and go. */
  public void refresh() {
    vlans = VlanInterfaces.read(vlanConfig);
    List<InetAddress> found = new ArrayList<>();
    Map<Integer, String> names = new HashMap<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        found.addAll(Collections.list(nif.getInetAddresses()));
        names.put(nif.getIndex(), nif.getName());
      }
    } catch (SocketException e) {
      return; // Keep the last snapshot.
    }
    interfaceNames = Map.copyOf(names);
    long[] next = new long[found.size() * 2];
    for (int i = 0; i < found.size(); i++) {
      long[] key = key(found.get(i));
      next[2 * i] = key[0];
      next[2 * i + 1] = key[1];
    }
    addresses = next;
  }

  /** The name of interface {@code index} as of the last refresh, or the number when unknown. */
  public String interfaceName(int index) {
    String name = interfaceNames.get(index);
    return name == null ? Integer.toString(index) : name;
  }

  /**
   * The engine's 128-bit key of an address: {hi, lo}. A link-local IPv6 address is keyed with
   * its scope id, the index of its interface ({@link Addresses#scopedHi}), as the pipeline keys
   * a link-local source by the interface it came in on.
   */
  public static long[] key(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address) {
      return new long[] {0, Addresses.ipv4Lo(ByteBuffer.wrap(bytes).getInt())};
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    int scope = address instanceof Inet6Address ipv6 ? ipv6.getScopeId() : 0;
    return new long[] {Addresses.scopedHi(buffer.getLong(), scope), buffer.getLong()};
  }
}
