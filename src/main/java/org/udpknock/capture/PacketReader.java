package org.udpknock.capture;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.reflect.Field;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapHandle.TimestampPrecision;
import org.udpknock.server.CaptureException;
import org.udpknock.server.CaptureException.Kind;

/**
 * Reads the packets of a handle pcap4j opened with libpcap's {@code pcap_next_ex}, called through
 * a JNA direct mapping: one plain native call per packet, the header's fields read in place and
 * the bytes copied into a buffer the reader keeps. pcap4j's own loop costs more than the rest of
 * the daemon together (shared/notes/pcap4j.md; the profile in the README's Performance section):
 * a JNA callback per packet, three {@code Pointer}s, a {@code NativeLong}, a {@code Timestamp},
 * a {@code Runnable} and a fresh {@code byte[]}.
 *
 * <p>Two buffers take turns, so the frame delivered last stays intact through the next read
 * (a handle switch compares it). One thread reads; pcap4j still opens, filters, breaks the loop
 * of, counts and closes the handle.
 */
final class PacketReader {
  /** What {@code pcap_next_ex} returns: a packet, a read timeout, or {@code pcap_breakloop} (or a file's end). */
  static final int PACKET = 1;
  static final int TIMEOUT = 0;
  static final int BROKEN = -2;

  /** Where the records go: a frame (valid until the read after next), or why a record was refused. */
  interface Receiver {
    void frame(long timeNanos, byte[] data, int length);

    void refused(RuntimeException why);
  }

  private static final int LONG = Native.LONG_SIZE; // struct timeval is two C longs.
  private static final int CAPLEN_OFFSET = 2 * LONG;

  private final PcapHandle handle;
  private final Pointer pcap;
  private final boolean nanosecondStamps;
  /** Out-parameters of pcap_next_ex: the header's and the data's addresses. */
  private final Memory slots = new Memory(2L * Native.POINTER_SIZE);
  private final Pointer dataSlot = slots.share(Native.POINTER_SIZE);
  /** Re-aimed at each record (Pointer.nativeValue) instead of a new Pointer per packet. */
  private final Pointer header = new Pointer(0);
  private final Pointer data = new Pointer(0);
  private final byte[][] buffers;
  private int turn;

  PacketReader(PcapHandle handle, int snaplen) throws CaptureException {
    this.handle = handle;
    this.pcap = HandlePointer.of(handle);
    this.nanosecondStamps = handle.getTimestampPrecision() == TimestampPrecision.NANO;
    this.buffers = new byte[][] {new byte[snaplen], new byte[snaplen]};
  }

  /**
   * Reads one record and hands it to {@code receiver} (a frame, or a refusal for a record no
   * packet can have: no bytes, or a sub-second field out of range); returns libpcap's code:
   * {@link #PACKET}, {@link #TIMEOUT}, {@link #BROKEN}, or a negative error ({@link #error}).
   */
  int next(Receiver receiver) {
    int code = Libpcap.pcap_next_ex(pcap, slots, dataSlot);
    if (code == PACKET) {
      Pointer.nativeValue(header, address(slots));
      deliver(receiver);
    }
    return code;
  }

  private void deliver(Receiver receiver) {
    int length = header.getInt(CAPLEN_OFFSET);
    long seconds = nativeLong(0);
    long fraction = nativeLong(LONG);
    long perSecond = nanosecondStamps ? 1_000_000_000L : 1_000_000L;
    if (length <= 0 || fraction < 0 || fraction >= perSecond) {
      receiver.refused(new IllegalArgumentException("libpcap gave a bad record: " + length
          + " bytes captured, sub-second field " + fraction));
      return;
    }
    byte[] buffer = buffer(length);
    Pointer.nativeValue(data, address(dataSlot));
    data.read(0, buffer, 0, length);
    long nanos = seconds * 1_000_000_000L + (nanosecondStamps ? fraction : fraction * 1000L);
    receiver.frame(nanos, buffer, length);
  }

  /** The buffer not holding the last frame, grown if a record is longer than the snaplen asked. */
  private byte[] buffer(int length) {
    turn ^= 1;
    if (buffers[turn].length < length) {
      buffers[turn] = new byte[length];
    }
    return buffers[turn];
  }

  /** The address an out-parameter holds, read without making a Pointer of it. */
  private static long address(Pointer slot) {
    return Native.POINTER_SIZE == 8 ? slot.getLong(0) : slot.getInt(0) & 0xffff_ffffL;
  }

  private long nativeLong(int offset) {
    return LONG == 8 ? header.getLong(offset) : header.getInt(offset);
  }

  /** libpcap's sentence for the last error on the handle. */
  String error() {
    try {
      return handle.getError();
    } catch (org.pcap4j.core.NotOpenException e) {
      return "the handle was closed";
    }
  }

  /**
   * The {@code pcap_t *} inside a PcapHandle: pcap4j 1.8.2 keeps it in the private field
   * {@code handle} and offers no accessor. The one reflective access of the project, here only.
   */
  static final class HandlePointer {
    private HandlePointer() {}

    static Pointer of(PcapHandle handle) throws CaptureException {
      try {
        Field field = PcapHandle.class.getDeclaredField("handle");
        field.setAccessible(true);
        Pointer pointer = (Pointer) field.get(handle);
        if (pointer == null) {
          throw new IllegalStateException("it is null");
        }
        return pointer;
      } catch (ReflectiveOperationException | RuntimeException e) {
        throw new CaptureException(Kind.OTHER, "cannot read packets: pcap4j's PcapHandle has no usable"
            + " field 'handle' (" + e + "); udpknock needs pcap4j 1.8.2");
      }
    }
  }
}
