package org.udpknock.server;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.udpknock.core.Addresses;
import org.udpknock.pipeline.DestinationFilter;

/**
 * Accepts datagrams addressed to this host: any address of its interfaces, and all of
 * 127.0.0.0/8, which Linux answers for on {@code lo}. A snapshot read by the capture thread,
 * refreshed from time to time by another.
 */
public final class LocalAddresses implements DestinationFilter {
  private static final long LOOPBACK_NET_MASK = 0xFFFF_FFFF_FF00_0000L;
  private static final long LOOPBACK_NET = Addresses.ipv4Lo(0x7F000000);

  /** Addresses as {hi, lo} pairs, flattened: replaced whole, never changed in place. */
  private volatile long[] addresses = new long[0];

  public LocalAddresses() {
    refresh();
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

  /** Reads the interfaces' addresses again: they change when links come and go. */
  public void refresh() {
    List<InetAddress> found = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        found.addAll(Collections.list(nif.getInetAddresses()));
      }
    } catch (SocketException e) {
      return; // Keep the last snapshot.
    }
    long[] next = new long[found.size() * 2];
    for (int i = 0; i < found.size(); i++) {
      long[] key = key(found.get(i));
      next[2 * i] = key[0];
      next[2 * i + 1] = key[1];
    }
    addresses = next;
  }

  /** The engine's 128-bit key of an address: {hi, lo}. */
  public static long[] key(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (address instanceof Inet4Address) {
      return new long[] {0, Addresses.ipv4Lo(ByteBuffer.wrap(bytes).getInt())};
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    return new long[] {buffer.getLong(), buffer.getLong()};
  }
}
