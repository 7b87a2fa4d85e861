package org.udpknock.nft;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.udpknock.core.Addresses;

/**
 * Grants as set elements, sent to nf_tables over one netlink socket: the same transaction as
 * {@link NftTable#allowCommands} (add with 1 s, delete, add with the grant's time: a renewal),
 * without libnftables' parse and cache refresh, which cost ~250 us per grant here against tens
 * of microseconds for the messages themselves. Only plain IPv4 and IPv6 elements; link-local
 * keys (an interface and an address) stay on the text path. Not thread-safe: the one {@link
 * KernelGrants} worker uses it.
 *
 * <pre>
 * batch-begin | NEWSETELEM {table, set, [key timeout 1000ms]...} | DELSETELEM {table, set, [key]...}
 *             | NEWSETELEM {table, set, [key timeout T]...} | batch-end     (each element message acked)
 * </pre>
 */
final class NetlinkElements implements AutoCloseable {
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_NETFILTER = 12;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;
  private static final int NFNL_SUBSYS_NFTABLES = 10;
  private static final int NFT_MSG_NEWSETELEM = 12;
  private static final int NFT_MSG_DELSETELEM = 14;
  private static final int NFNL_MSG_BATCH_BEGIN = 16;
  private static final int NFNL_MSG_BATCH_END = 17;
  private static final int NLMSG_ERROR = 2;
  private static final int NLM_F_REQUEST = 1;
  private static final int NLM_F_ACK = 4;
  private static final int NLM_F_CREATE = 0x400;
  private static final int NLA_F_NESTED = 0x8000;
  private static final int NFPROTO_INET = 1;
  private static final int LIST_TABLE = 1;
  private static final int LIST_SET = 2;
  private static final int LIST_ELEMENTS = 3;
  private static final int LIST_ELEM = 1;
  private static final int ELEM_KEY = 1;
  private static final int ELEM_TIMEOUT = 4;
  private static final int DATA_VALUE = 1;
  private static final int HEADER = 16;
  private static final long RENEW_MILLIS = 1000;
  /** A renewal: add with 1 s (so that the delete finds it), delete, add with the grant's time. */
  private static final long[] RENEW = {RENEW_MILLIS, 0, -1};
  private static final long[] WARM = {RENEW_MILLIS, 0};
  /** A reply is due within microseconds; past this the socket's state is unknown and the text path takes over. */
  private static final int REPLY_TIMEOUT_MILLIS = 1000;

  /** The few libc calls netlink needs; Java's own sockets have no AF_NETLINK. */
  interface LibC extends Library {
    int socket(int domain, int type, int protocol) throws LastErrorException;

    int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

    long send(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

    long recv(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

    int close(int fd);
  }

  private final LibC libc;
  private final int fd;
  private final ByteBuffer out = ByteBuffer.allocate(64 * 1024).order(ByteOrder.nativeOrder());
  private final byte[] in = new byte[64 * 1024];
  private int sequence = (int) (System.nanoTime() & 0x3fffffff);
  private boolean closed;

  private NetlinkElements(LibC libc, int fd) {
    this.libc = libc;
    this.fd = fd;
  }

  /** Opens the socket; throws when this process cannot (no JNA, no netlink): the text path then serves. */
  static NetlinkElements open() throws NftException {
    try {
      LibC libc = Native.load("c", LibC.class);
      int fd = libc.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
      ByteBuffer timeout = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
      timeout.putLong(REPLY_TIMEOUT_MILLIS / 1000).putLong((REPLY_TIMEOUT_MILLIS % 1000) * 1000L);
      libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout.array(), 16);
      return new NetlinkElements(libc, fd);
    } catch (LastErrorException | UnsatisfiedLinkError e) {
      throw new NftException("netlink: " + e.getMessage());
    }
  }

  /** True for the elements this class can write: no link-local key. */
  static boolean handles(List<Allowance> allowances) {
    for (Allowance allowance : allowances) {
      if (allowance.isLinkLocal()) {
        return false;
      }
    }
    return true;
  }

  /** Renews each allowance in its set, as one transaction; throws with the kernel's errno when refused. */
  void allow(String table, GuardedPort port, List<Allowance> allowances) throws NftException {
    transaction(table, port, allowances, RENEW);
  }

  /**
   * The warm-up, through the same code as a grant: 0.0.0.0 (no packet comes from it) added and
   * deleted in one transaction, so that the first grant pays nothing cold and no element stays.
   */
  void warm(String table, GuardedPort port) throws NftException {
    transaction(table, port, List.of(new Allowance(0, Addresses.ipv4Lo(0), 0, RENEW_MILLIS)), WARM);
  }

  /** Each phase is a timeout in ms to add with, 0 to delete, or -1 to add with each allowance's own. */
  private void transaction(String table, GuardedPort port, List<Allowance> allowances, long[] phases)
      throws NftException {
    List<Allowance> v4 = new ArrayList<>(allowances.size());
    List<Allowance> v6 = new ArrayList<>(allowances.size());
    for (Allowance allowance : allowances) {
      (allowance.isIpv4() ? v4 : v6).add(allowance);
    }
    out.clear();
    int first = sequence;
    batchMarker(NFNL_MSG_BATCH_BEGIN);
    for (long phase : phases) {
      addMessage(table, port.ipv4Set(), v4, phase);
      addMessage(table, port.ipv6Set(), v6, phase);
    }
    batchMarker(NFNL_MSG_BATCH_END);
    sendAndAwaitAcks(first + 1, sequence - 2); // begin and end are not acked
  }

  private void batchMarker(int type) {
    int start = header(type, NLM_F_REQUEST);
    out.put((byte) 0).put((byte) 0).putShort(Short.reverseBytes((short) NFNL_SUBSYS_NFTABLES)); // res_id, big-endian
    finish(start);
  }

    private void addMessage(String table, String set, List<Allowance> elements, long phase) {
    if (elements.isEmpty()) {
      return;
    }
    int type = NFNL_SUBSYS_NFTABLES << 8 | (phase == 0 ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM);
    int start = header(type, NLM_F_REQUEST | NLM_F_ACK | (phase == 0 ? 0 : NLM_F_CREATE));
    out.put((byte) NFPROTO_INET).put((byte) 0).putShort((short) 0);
    string(LIST_TABLE, table);
    string(LIST_SET, set);
    int list = nest(LIST_ELEMENTS);
    for (Allowance element : elements) {
      int one = nest(LIST_ELEM);
      int key = nest(ELEM_KEY);
      attribute(DATA_VALUE, keyBytes(element));
      end(key);
      if (phase != 0) {
        long millis = phase > 0 ? phase : element.timeoutMillis();
        attribute(ELEM_TIMEOUT, ByteBuffer.allocate(8).putLong(millis).array()); // big-endian
      }
      end(one);
    }
    end(list);
    finish(start);
  }

  /** The address in network order: 4 bytes for IPv4 (kept IPv4-mapped in the engine), else 16. */
  private static byte[] keyBytes(Allowance element) {
    ByteBuffer key = ByteBuffer.allocate(16).putLong(element.sourceHi()).putLong(element.sourceLo());
    if (!element.isIpv4()) {
      return key.array();
    }
    byte[] v4 = new byte[4];
    System.arraycopy(key.array(), 12, v4, 0, 4);
    return v4;
  }

  private int header(int type, int flags) {
    int start = out.position();
    out.putInt(0).putShort((short) type).putShort((short) flags).putInt(sequence++).putInt(0);
    return start;
  }

  private void finish(int start) {
    out.putInt(start, out.position() - start);
  }

  private void string(int type, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    byte[] terminated = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, terminated, 0, bytes.length);
    attribute(type, terminated);
  }

  private void attribute(int type, byte[] value) {
    out.putShort((short) (4 + value.length)).putShort((short) type).put(value);
    pad();
  }

  private int nest(int type) {
    int start = out.position();
    out.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
    return start;
  }

  private void end(int start) {
    out.putShort(start, (short) (out.position() - start));
  }

  private void pad() {
    while (out.position() % 4 != 0) {
      out.put((byte) 0);
    }
  }

  private void sendAndAwaitAcks(int firstAcked, int lastAcked) throws NftException {
    if (closed) {
      throw new NftException("the netlink socket is closed");
    }
    try {
      libc.send(fd, out.array(), out.position(), 0);
      int awaited = lastAcked - firstAcked + 1;
      int error = 0;
      while (awaited > 0) {
        long length = libc.recv(fd, in, in.length, 0);
        ByteBuffer reply = ByteBuffer.wrap(in, 0, (int) length).order(ByteOrder.nativeOrder());
        while (reply.remaining() >= HEADER + 4) {
          int start = reply.position();
          int size = reply.getInt(start);
          int seq = reply.getInt(start + 8);
          if (reply.getShort(start + 4) == NLMSG_ERROR && seq - firstAcked >= 0 && lastAcked - seq >= 0) {
            awaited--;
            error = error != 0 ? error : reply.getInt(start + HEADER);
          }
          reply.position(Math.min(reply.limit(), start + Math.max(HEADER, (size + 3) & ~3)));
        }
      }
      if (error != 0) {
        throw new NftException("nf_tables refused the element: errno " + -error);
      }
    } catch (LastErrorException e) {
      throw new NftException("netlink: errno " + e.getErrorCode());
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      libc.close(fd);
    }
  }
}
