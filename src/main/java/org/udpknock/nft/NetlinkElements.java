package org.udpknock.nft;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.udpknock.core.Addresses;

/**
 * Grants as set elements, sent to nf_tables over one netlink socket: the same transaction as
 * {@link NftTable#allowCommands} (add with 1 s, delete, add with the grant's time: a renewal),
 * without libnftables' parse and cache refresh, which cost ~250 us per grant here. The messages
 * are built by libnftnl and sent by libmnl (netfilter's own libraries, which nft itself uses;
 * installed with libnftables1). Only plain IPv4 and IPv6 elements, at most {@link
 * #MAX_ELEMENTS} at once; link-local keys (an interface and an address) stay on the text path.
 * Not thread-safe: the one {@link KernelGrants} worker uses it.
 *
 * <pre>
 * batch-begin | NEWSETELEM {table, set, [key timeout 1000ms]...} | DELSETELEM {table, set, [key]...}
 *             | NEWSETELEM {table, set, [key timeout T]...} | batch-end     (each element message acked)
 * </pre>
 *
 * A grant of one source, the usual case, first tries the one message that adds a new element:
 * {@code batch-begin | NEWSETELEM (exclusive) {table, set, [key timeout T]} | batch-end}. The
 * kernel refuses it (EEXIST) when the element is there (a renewal, or one left from before a
 * restart, whose timeout a plain add would keep), and the renewal above follows. One message
 * instead of three took ~110 instead of ~170 us here, cold (the first after a pause).
 */
final class NetlinkElements implements AutoCloseable {
  /** Beyond this many elements a transaction might not fit {@link #BATCH_LIMIT}: the text path takes them. */
  static final int MAX_ELEMENTS = 200;
  private static final int NETLINK_NETFILTER = 12;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int MNL_SOCKET_AUTOPID = 0;
  private static final int SOL_SOCKET = 1;
  private static final int SO_RCVTIMEO = 20;
  private static final short NFT_MSG_NEWSETELEM = 12;
  private static final short NFT_MSG_DELSETELEM = 14;
  private static final short NFPROTO_INET = 1;
  private static final short NLM_F_ACK = 4;
  private static final short NLM_F_EXCL = 0x200;
  private static final short NLM_F_CREATE = 0x400;
  private static final int EEXIST = 17;
  private static final short NFTNL_SET_TABLE = 0;
  private static final short NFTNL_SET_NAME = 1;
  private static final short NFTNL_SET_ELEM_KEY = 1;
  private static final short NFTNL_SET_ELEM_TIMEOUT = 5;
  /** nlmsghdr: length, type, flags, then the sequence number at this offset. */
  private static final int NLMSG_SEQ_OFFSET = 8;
  /** libmnl's batch wants a buffer of twice its limit (room for one message past the limit). */
  private static final int BATCH_LIMIT = 32 * 1024;
  private static final int RECEIVE_BUFFER = 8192;
  private static final long RENEW_MILLIS = 1000;
  /** A phase: delete the elements. A positive phase adds them with that timeout in ms. */
  private static final long DELETE = 0;
  /** A phase: add them with their own timeouts. */
  private static final long ADD_OWN = -1;
  /** A phase: add them with their own timeouts, and fail (EEXIST) if one is there already. */
  private static final long ADD_NEW = -2;
  /** A renewal: add with 1 s (so that the delete finds it), delete, add with the grant's time. */
  private static final long[] RENEW = {RENEW_MILLIS, DELETE, ADD_OWN};
  private static final long[] ADD_IF_ABSENT = {ADD_NEW};
  private static final long[] WARM = {RENEW_MILLIS, DELETE};
  /** A reply is due within microseconds; past this the socket's state is unknown and the text path takes over. */
  private static final int REPLY_TIMEOUT_MILLIS = 1000;

  /** libnftnl ({@code libnftnl.so.11}): bound directly, as a grant makes a few dozen calls. */
  private static final class Nftnl {
    static {
      Native.register(Nftnl.class, NativeLibrary.getInstance("libnftnl.so.11"));
    }

    static native Pointer nftnl_set_alloc();

    static native void nftnl_set_free(Pointer set);

    static native int nftnl_set_set_str(Pointer set, short attribute, String value);

    static native Pointer nftnl_set_elem_alloc();

    static native int nftnl_set_elem_set(Pointer element, short attribute, byte[] data, int length);

    static native void nftnl_set_elem_set_u64(Pointer element, short attribute, long value);

    /** The set owns the element from then on, and frees it with itself. */
    static native void nftnl_set_elem_add(Pointer set, Pointer element);

    static native Pointer nftnl_nlmsg_build_hdr(Pointer buffer, short type, short family, short flags, int sequence);

    static native void nftnl_set_elems_nlmsg_build_payload(Pointer header, Pointer set);

    static native Pointer nftnl_batch_begin(Pointer buffer, int sequence);

    static native Pointer nftnl_batch_end(Pointer buffer, int sequence);
  }

  /** libmnl ({@code libmnl.so.0}): the socket, the batch buffer and the acks. */
  private static final class Mnl {
    static {
      Native.register(Mnl.class, NativeLibrary.getInstance("libmnl.so.0"));
    }

    static native Pointer mnl_socket_open2(int bus, int flags);

    static native int mnl_socket_bind(Pointer socket, int groups, int portId);

    static native int mnl_socket_get_fd(Pointer socket);

    static native int mnl_socket_get_portid(Pointer socket);

    static native long mnl_socket_sendto(Pointer socket, Pointer buffer, long length) throws LastErrorException;

    static native long mnl_socket_recvfrom(Pointer socket, Pointer buffer, long size) throws LastErrorException;

    static native int mnl_socket_close(Pointer socket);

    /** 0 (stop) for an ack, -1 with errno for the kernel's refusal. */
    static native int mnl_cb_run(Pointer buffer, long length, int sequence, int portId, Pointer callback, Pointer data);

    static native Pointer mnl_nlmsg_batch_start(Pointer buffer, long limit);

    /** C's bool: only the low byte is defined. 0 when the batch is full. */
    static native byte mnl_nlmsg_batch_next(Pointer batch);

    static native Pointer mnl_nlmsg_batch_current(Pointer batch);

    static native Pointer mnl_nlmsg_batch_head(Pointer batch);

    static native long mnl_nlmsg_batch_size(Pointer batch);

    static native void mnl_nlmsg_batch_reset(Pointer batch);

    static native void mnl_nlmsg_batch_stop(Pointer batch);
  }

  /** The reply timeout is a plain socket option, which libmnl's setsockopt (SOL_NETLINK) does not set. */
  private static final class LibC {
    static {
      Native.register(LibC.class, NativeLibrary.getInstance("c"));
    }

    static native int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;
  }

  private final Pointer socket;
  private final int portId;
  private final Memory out = new Memory(2 * BATCH_LIMIT);
  private final Memory in = new Memory(RECEIVE_BUFFER);
  private final Pointer batch;
  private int sequence = (int) (System.nanoTime() & 0x3fffffff);
  private boolean closed;

  private NetlinkElements(Pointer socket) {
    this.socket = socket;
    this.portId = Mnl.mnl_socket_get_portid(socket);
    this.batch = Mnl.mnl_nlmsg_batch_start(out, BATCH_LIMIT);
  }

  /** Opens the socket; throws when this process cannot (no libnftnl, no netlink): the text path then serves. */
  static NetlinkElements open() throws NftException {
    try {
      Class.forName(Nftnl.class.getName()); // Both bound now, so that a missing library fails here.
      Class.forName(Mnl.class.getName());
    } catch (LinkageError | ClassNotFoundException e) {
      throw new NftException("netlink: " + e.getMessage());
    }
    Pointer socket = Mnl.mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
    if (socket == null) {
      throw new NftException("netlink: errno " + Native.getLastError());
    }
    try {
      if (Mnl.mnl_socket_bind(socket, 0, MNL_SOCKET_AUTOPID) < 0) {
        throw new NftException("netlink: errno " + Native.getLastError());
      }
      setReplyTimeout(Mnl.mnl_socket_get_fd(socket));
      return new NetlinkElements(socket);
    } catch (NftException | LastErrorException | LinkageError e) {
      Mnl.mnl_socket_close(socket);
      throw e instanceof NftException nft ? nft : new NftException("netlink: " + e.getMessage());
    }
  }

  private static void setReplyTimeout(int fd) {
    ByteBuffer timeval = ByteBuffer.allocate(16).order(java.nio.ByteOrder.nativeOrder());
    timeval.putLong(REPLY_TIMEOUT_MILLIS / 1000).putLong((REPLY_TIMEOUT_MILLIS % 1000) * 1000L);
    LibC.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeval.array(), 16);
  }

  /** True for the elements this class can write: no link-local key, and not too many. */
  static boolean handles(List<Allowance> allowances) {
    if (allowances.size() > MAX_ELEMENTS) {
      return false;
    }
    for (Allowance allowance : allowances) {
      if (allowance.isLinkLocal()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Renews each allowance in its set, as one transaction; throws with the kernel's errno when
   * refused. One allowance is first added as a new element, and renewed only if it is there.
   */
  void allow(String table, GuardedPort port, List<Allowance> allowances) throws NftException {
    if (allowances.size() == 1) {
      int errno = transaction(table, port, allowances, ADD_IF_ABSENT);
      if (errno != EEXIST) {
        throwIfRefused(errno);
        return;
      }
    }
    throwIfRefused(transaction(table, port, allowances, RENEW));
  }

  /**
   * The warm-up, through the same code as a grant: 0.0.0.0 (no packet comes from it) added and
   * deleted in one transaction, so that the first grant pays nothing cold and no element stays.
   */
  void warm(String table, GuardedPort port) throws NftException {
    List<Allowance> nobody = List.of(new Allowance(0, Addresses.ipv4Lo(0), 0, RENEW_MILLIS));
    transaction(table, port, nobody, ADD_IF_ABSENT); // EEXIST, if a warm-up before was cut short
    throwIfRefused(transaction(table, port, nobody, WARM));
  }

  private static void throwIfRefused(int errno) throws NftException {
    if (errno != 0) {
      throw new NftException("nf_tables refused the element: errno " + errno);
    }
  }

  /** Each phase is a timeout in ms to add with, or one of the phases above. Returns the kernel's errno, or 0. */
  private int transaction(String table, GuardedPort port, List<Allowance> allowances, long[] phases)
      throws NftException {
    if (closed) {
      throw new NftException("the netlink socket is closed");
    }
    List<Allowance> v4 = new ArrayList<>(allowances.size());
    List<Allowance> v6 = new ArrayList<>(allowances.size());
    for (Allowance allowance : allowances) {
      (allowance.isIpv4() ? v4 : v6).add(allowance);
    }
    Mnl.mnl_nlmsg_batch_reset(batch);
    int first = sequence;
    Nftnl.nftnl_batch_begin(Mnl.mnl_nlmsg_batch_current(batch), sequence++);
    next();
    for (long phase : phases) {
      addMessage(table, port.ipv4Set(), v4, phase);
      addMessage(table, port.ipv6Set(), v6, phase);
    }
    Nftnl.nftnl_batch_end(Mnl.mnl_nlmsg_batch_current(batch), sequence++);
    next();
    return sendAndAwaitAcks(first + 1, sequence - 2); // begin and end are not acked
  }

  private void addMessage(String table, String setName, List<Allowance> elements, long phase) throws NftException {
    if (elements.isEmpty()) {
      return;
    }
    Pointer set = allocated(Nftnl.nftnl_set_alloc());
    try {
      Nftnl.nftnl_set_set_str(set, NFTNL_SET_TABLE, table);
      Nftnl.nftnl_set_set_str(set, NFTNL_SET_NAME, setName);
      for (Allowance element : elements) {
        Nftnl.nftnl_set_elem_add(set, element(element, phase));
      }
      short type = phase == DELETE ? NFT_MSG_DELSETELEM : NFT_MSG_NEWSETELEM;
      int create = phase == DELETE ? 0 : phase == ADD_NEW ? NLM_F_CREATE | NLM_F_EXCL : NLM_F_CREATE;
      short flags = (short) (NLM_F_ACK | create);
      Pointer header = Nftnl.nftnl_nlmsg_build_hdr(Mnl.mnl_nlmsg_batch_current(batch), type, NFPROTO_INET, flags,
          sequence++);
      Nftnl.nftnl_set_elems_nlmsg_build_payload(header, set);
      next();
    } finally {
      Nftnl.nftnl_set_free(set);
    }
  }

  private static Pointer element(Allowance allowance, long phase) throws NftException {
    Pointer element = allocated(Nftnl.nftnl_set_elem_alloc());
    byte[] key = keyBytes(allowance);
    Nftnl.nftnl_set_elem_set(element, NFTNL_SET_ELEM_KEY, key, key.length);
    if (phase != DELETE) {
      Nftnl.nftnl_set_elem_set_u64(element, NFTNL_SET_ELEM_TIMEOUT, phase > 0 ? phase : allowance.timeoutMillis());
    }
    return element;
  }

  private static Pointer allocated(Pointer pointer) throws NftException {
    if (pointer == null) {
      throw new NftException("libnftnl: out of memory");
    }
    return pointer;
  }

  /** Past {@link #BATCH_LIMIT} libmnl refuses the message; {@link #handles} keeps transactions well under it. */
  private void next() throws NftException {
    if (Mnl.mnl_nlmsg_batch_next(batch) == 0) {
      throw new NftException("netlink: the transaction does not fit one batch");
    }
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

  /**
   * Each acked message gets one reply (a datagram of its own); replies to an earlier, timed-out
   * batch are skipped. Returns the first refusal's errno, or 0.
   */
  private int sendAndAwaitAcks(int firstAcked, int lastAcked) throws NftException {
    try {
      Mnl.mnl_socket_sendto(socket, Mnl.mnl_nlmsg_batch_head(batch), Mnl.mnl_nlmsg_batch_size(batch));
      int awaited = lastAcked - firstAcked + 1;
      int error = 0;
      while (awaited > 0) {
        long length = Mnl.mnl_socket_recvfrom(socket, in, RECEIVE_BUFFER);
        int seq = in.getInt(NLMSG_SEQ_OFFSET);
        if (seq - firstAcked < 0 || lastAcked - seq < 0) {
          continue;
        }
        awaited--;
        if (Mnl.mnl_cb_run(in, length, seq, portId, null, null) < 0 && error == 0) {
          error = Native.getLastError();
        }
      }
      return error;
    } catch (LastErrorException e) {
      throw new NftException("netlink: errno " + e.getErrorCode());
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      Mnl.mnl_nlmsg_batch_stop(batch);
      Mnl.mnl_socket_close(socket);
    }
  }
}
