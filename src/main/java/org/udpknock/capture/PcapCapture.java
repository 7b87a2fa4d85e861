package org.udpknock.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapHandle.TimestampPrecision;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;
import org.pcap4j.core.RawPacketListener;
import org.pcap4j.packet.namednumber.DataLinkType;
import org.udpknock.decode.LinkKind;
import org.udpknock.decode.LinkType;
import org.udpknock.pcapfile.PcapWriter;
import org.udpknock.pipeline.Ingress;
import org.udpknock.server.CaptureException;
import org.udpknock.server.CaptureException.Kind;
import org.udpknock.server.CaptureStats;
import org.udpknock.server.FrameSink;
import org.udpknock.server.PacketSource;

/**
 * Live capture through pcap4j's raw listener: the callback gets the frame's bytes, and the
 * pure decoder does the rest (pcap4j's own decoding is 2x slower and allocates ~3 KB a packet).
 *
 * <p>Settings that matter (see shared/notes/pcap4j.md): immediate mode, or knocks sit in the
 * kernel buffer for up to a second; a small snaplen, since only headers are read; a large kernel
 * buffer, so floods are not dropped.
 */
public final class PcapCapture implements PacketSource {
  public static final int SNAPLEN = 256;
  public static final int BUFFER_BYTES = 64 << 20;
  /** Bounds how long a blocked read waits, so a stop is seen even on an idle interface. */
  private static final int READ_TIMEOUT_MILLIS = 100;
  private static final AtomicBoolean WARMED_UP = new AtomicBoolean();

  private final String interfaceName;
  private volatile String filter;
  /** The handle read now; replaced only by the capture thread, between two reads ({@link #switchHandles}). */
  private volatile PcapHandle handle;
  /** A handle opened with a reload's filter, capturing already, that the capture thread switches to. */
  private final java.util.concurrent.atomic.AtomicReference<Opened> pending = new java.util.concurrent.atomic.AtomicReference<>();
  /** Counters of the handles switched away from, so the totals never go backwards. */
  private volatile CaptureStats retired = CaptureStats.NONE;
  /** Capture thread only: the last frame delivered, and, after a switch, the old handle's last one. */
  private long lastNanos = Long.MIN_VALUE;
  private byte[] lastFrame;
  private long skipThroughNanos = Long.MIN_VALUE;
  private byte[] skipFrame;
  private final int linkType;
  private final Ingress ingress;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile boolean closed;
  /** Runs on each frame before it is handed over; tests make it throw. Null in production. */
  private volatile Consumer<byte[]> frameHook;

  private PcapCapture(String interfaceName, String filter, PcapHandle handle) {
    this.interfaceName = interfaceName;
    this.filter = filter;
    this.handle = handle;
    this.linkType = handle.getDlt().value();
    this.ingress = ingressOf(interfaceName);
  }

  private record Opened(PcapHandle handle, String filter) {}

  /** Opens {@code interfaceName} and applies {@code filter}; errors say what to do. */
  public static PcapCapture open(String interfaceName, String filter) throws CaptureException {
    return open(interfaceName, linkType -> filter);
  }

  /**
   * Opens {@code interfaceName} and applies the filter for its link type; errors say what to do.
   * A cooked capture ({@code any}) is switched to LINUX_SLL2, whose header carries the interface
   * index that link-local sources are keyed with.
   */
  public static PcapCapture open(String interfaceName, IntFunction<String> filterForLinkType) throws CaptureException {
    Pcap.libraryVersion(); // After a preload, once its warm-up has run.
    warmUpOnce();
    Opened opened = openHandle(interfaceName, filterForLinkType);
    return new PcapCapture(interfaceName, opened.filter(), opened.handle());
  }

  private static Opened openHandle(String interfaceName, IntFunction<String> filterForLinkType)
      throws CaptureException {
    PcapHandle handle = build(interfaceName);
    preferSll2(handle);
    String filter = filterForLinkType.apply(handle.getDlt().value());
    try {
      handle.setFilter(filter, BpfCompileMode.OPTIMIZE);
    } catch (PcapNativeException | NotOpenException e) {
      handle.close();
      throw new CaptureException(Kind.BAD_FILTER, "the capture filter '" + filter
          + "' was refused by libpcap: " + e.getMessage());
    }
    return new Opened(handle, filter);
  }

  /** LINUX_SLL has no interface index; libpcap 1.10 offers SLL2 on the same handle. Without it, index 0. */
  private static void preferSll2(PcapHandle handle) {
    if (handle.getDlt().value() != LinkType.LINUX_SLL) {
      return;
    }
    try {
      handle.setDlt(DataLinkType.getInstance(LinkType.LINUX_SLL2));
    } catch (PcapNativeException | NotOpenException | RuntimeException e) {
      // An older libpcap: link-local sources seen on "any" are then keyed with interface 0.
    }
  }

  /** The interface as the kernel knows it; "any" is none: its frames say which interface. */
  private static Ingress ingressOf(String interfaceName) {
    try {
      NetworkInterface nif = NetworkInterface.getByName(interfaceName);
      if (nif != null) {
        return new Ingress(nif.getIndex(), interfaceName, nif.isLoopback() ? LinkKind.LOOPBACK : LinkKind.OTHER);
      }
    } catch (SocketException e) {
      // Unknown to Java: the frames' own link headers may still say.
    }
    return new Ingress(0, interfaceName, LinkKind.UNKNOWN);
  }

  /**
   * Loads libpcap and warms up its callback (see {@link #warmUpCallbacks}) on a thread of its
   * own, while the server starts (see {@link Pcap#preload}); {@code open} waits for both.
   */
  public static void preload() {
    Pcap.preload(PcapCapture::warmUpOnce);
  }

  /** Once per process: reopening after an interface comes back needs no more. */
  private static void warmUpOnce() {
    if (WARMED_UP.compareAndSet(false, true)) {
      warmUpCallbacks();
    }
  }

  /**
   * The first callback from libpcap into Java cost ~17 ms here (JNA builds its stubs, classes
   * load): pay that at start, on a one-frame file read through the same raw listener, rather
   * than on the first knock. Failing only makes the first knock slower.
   */
  private static void warmUpCallbacks() {
    Path file = null;
    try {
      file = Files.createTempFile("udpknock-warmup", ".pcap");
      try (OutputStream out = Files.newOutputStream(file)) {
        PcapWriter writer = new PcapWriter(out, LinkType.ETHERNET, false, ByteOrder.LITTLE_ENDIAN, SNAPLEN);
        byte[] frame = new byte[60];
        writer.write(0, frame, 0, frame.length, frame.length);
        writer.flush();
      }
      PcapHandle offline = Pcaps.openOffline(file.toString());
      try {
        offline.loop(1, (RawPacketListener) bytes -> offline.getTimestamp());
      } finally {
        offline.close();
      }
    } catch (IOException | PcapNativeException | NotOpenException | RuntimeException e) {
      // Only the first knock will be slower.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      deleteQuietly(file);
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      if (file != null) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // A stray file in the temporary directory.
    }
  }

  private static PcapHandle build(String interfaceName) throws CaptureException {
    try {
      PcapHandle.Builder builder = builder(interfaceName);
      if (NanosecondProbe.supports(interfaceName)) { // Else pcap4j logs an ERROR and uses microseconds.
        builder.timestampPrecision(TimestampPrecision.NANO);
      }
      return builder.build();
    } catch (PcapNativeException e) {
      if (isPrecisionUnsupported(e)) {
        try {
          return builder(interfaceName).build();
        } catch (PcapNativeException again) {
          throw translate(interfaceName, again);
        }
      }
      throw translate(interfaceName, e);
    }
  }

  private static PcapHandle.Builder builder(String interfaceName) {
    return new PcapHandle.Builder(interfaceName)
        .snaplen(SNAPLEN)
        .promiscuousMode(PromiscuousMode.NONPROMISCUOUS)
        .timeoutMillis(READ_TIMEOUT_MILLIS)
        .bufferSize(BUFFER_BYTES)
        .immediateMode(true);
  }

  private static boolean isPrecisionUnsupported(PcapNativeException e) {
    String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    return message.contains("precision");
  }

  static CaptureException translate(String interfaceName, PcapNativeException e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("Operation not permitted") || message.contains("Permission denied")
        || message.contains("permission")) {
      return new CaptureException(Kind.NO_PRIVILEGE, "capturing on " + interfaceName
          + " needs the CAP_NET_RAW capability: run as root, grant it to java with"
          + " 'sudo setcap cap_net_raw+ep \"$(readlink -f \"$(command -v java)\")\"',"
          + " or use the systemd unit in scripts/udpknock.service");
    }
    if (message.contains("No such device") || message.contains("doesn't exist")
        || message.contains("no such device")) {
      return new CaptureException(Kind.NO_SUCH_INTERFACE, "there is no capture interface named '"
          + interfaceName + "'; choose one of: " + Pcap.deviceNames());
    }
    return new CaptureException(Kind.OTHER, "libpcap could not open " + interfaceName + ": " + message);
  }

  @Override
  public String interfaceName() {
    return interfaceName;
  }

  @Override
  public int linkType() {
    return linkType;
  }

  @Override
  public String filter() {
    return filter;
  }

  @Override
  public void run(FrameSink sink) throws CaptureException {
    // The timestamp and length getters are thread-local to the callback: read them inside it.
    // One bad record must never end the capture: pcap4j throws on some (a caplen of 0, a
    // tv_usec out of range), and an exception escaping this callback would reach JNA, which
    // prints a stack trace. It is handed to the sink, counted, and the loop goes on.
    RawPacketListener listener = bytes -> {
      try {
        Consumer<byte[]> hook = frameHook;
        if (hook != null) {
          hook.accept(bytes);
        }
        Timestamp time = handle.getTimestamp();
        long nanos = Math.floorDiv(time.getTime(), 1000L) * 1_000_000_000L + time.getNanos();
        if (seenOnTheOldHandle(nanos, bytes)) {
          return;
        }
        lastNanos = nanos;
        lastFrame = bytes;
        sink.onFrame(nanos, linkType, ingress, bytes, 0, bytes.length);
      } catch (RuntimeException e) {
        sink.frameFailed(e);
      }
    };
    try {
      while (!stopping.get()) {
        switchHandles(listener);
        if (!stopping.get()) { // A stop during the switch broke the old handle's loop, not the new one's.
          loopUntilBroken(listener);
        }
      }
    } catch (PcapNativeException e) {
      if (stopping.get()) {
        return;
      }
      String message = String.valueOf(e.getMessage());
      Kind kind = message.contains("disappeared") || message.contains("went down")
          ? Kind.INTERFACE_GONE : Kind.OTHER;
      throw new CaptureException(kind, "the capture on " + interfaceName + " failed: " + message);
    } catch (NotOpenException e) {
      if (!stopping.get()) {
        throw new CaptureException(Kind.OTHER, "the capture on " + interfaceName + " was closed");
      }
    }
  }

  /** breakLoop() ends the loop with InterruptedException, without setting the flag: a stop, or a new filter. */
  private void loopUntilBroken(RawPacketListener listener) throws PcapNativeException, NotOpenException {
    try {
      handle.loop(-1, listener);
    } catch (InterruptedException e) {
      // Seen by the caller's loop: stopping, or a filter to install.
    }
  }

  /**
   * Switches to the handle a reload opened, on the capture thread, between two reads. Changing
   * the filter of the handle being read would lose knocks: libpcap puts a reject-all filter on
   * the socket while it swaps programs (pcap-linux.c, set_kernel_filter), and a test measured 1
   * knock lost in 30 that way. So the new handle, opened with the new filter, captures while the
   * old one is drained; its frames up to the old one's last (the same kernel timestamp) are the
   * old one's again and are skipped; then the old one is closed.
   */
  private void switchHandles(RawPacketListener listener) throws PcapNativeException, NotOpenException {
    Opened next = pending.getAndSet(null);
    if (next == null) {
      return;
    }
    PcapHandle old = handle;
    drain(old, listener);
    skipThroughNanos = lastNanos;
    skipFrame = lastFrame;
    CaptureStats last = stats();
    retired = last;
    handle = next.handle();
    filter = next.filter();
    old.close();
  }

  /** Delivers what the old handle holds still, without waiting: non-blocking reads until one finds nothing. */
  private static void drain(PcapHandle old, RawPacketListener listener) throws PcapNativeException, NotOpenException {
    old.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
    try {
      for (int round = 0; round < 10_000 && old.dispatch(-1, listener) > 0; round++) {
        // Each round delivers a batch; a flood cannot hold the switch forever.
      }
    } catch (InterruptedException e) {
      // A stop: the caller's loop sees it.
    }
  }

  /**
   * After a switch, the new handle's frames stamped before the old handle's last one (or that
   * one itself) were delivered already; the first later frame ends the check, so a clock step
   * back afterwards skips nothing.
   */
  private boolean seenOnTheOldHandle(long nanos, byte[] bytes) {
    if (skipThroughNanos == Long.MIN_VALUE) {
      return false;
    }
    if (nanos < skipThroughNanos || (nanos == skipThroughNanos && java.util.Arrays.equals(bytes, skipFrame))) {
      return true;
    }
    skipThroughNanos = Long.MIN_VALUE;
    skipFrame = null;
    return false;
  }

  /**
   * Opens a second handle with the filter {@code filterForLinkType} gives (from a reload's
   * thread), and has the capture thread switch to it ({@link #switchHandles}). Nothing is done
   * when the filter is the same.
   *
   * @throws CaptureException when the new handle cannot be opened: the old one goes on
   */
  @Override
  public void refilter(IntFunction<String> filterForLinkType) throws CaptureException {
    if (closed || filterForLinkType.apply(linkType).equals(filter)) {
      return;
    }
    Opened next = openHandle(interfaceName, filterForLinkType);
    if (next.handle().getDlt().value() != linkType) {
      next.handle().close();
      throw new CaptureException(Kind.OTHER, "the new capture of " + interfaceName + " has another link type");
    }
    Opened stale = pending.getAndSet(next);
    if (stale != null) {
      stale.handle().close(); // Never read: a later reload came first.
    }
    try {
      handle.breakLoop();
    } catch (NotOpenException e) {
      // Closed meanwhile: nothing reads.
    }
  }

  @Override
  public void stop() {
    if (stopping.compareAndSet(false, true) && !closed) {
      try {
        handle.breakLoop();
      } catch (NotOpenException e) {
        // Already closed: nothing runs.
      }
    }
  }

  @Override
  public CaptureStats stats() {
    try {
      PcapStat stat = handle.getStats();
      CaptureStats before = retired;
      return new CaptureStats(before.received() + stat.getNumPacketsReceived(),
          before.dropped() + stat.getNumPacketsDropped());
    } catch (PcapNativeException | NotOpenException e) {
      return CaptureStats.NONE;
    }
  }

  /** Close only after {@link #run} has returned: close() blocks while a read is in progress. */
  @Override
  public void close() {
    closed = true;
    handle.close();
    Opened never = pending.getAndSet(null);
    if (never != null) {
      never.handle().close();
    }
  }

  /** The test seam of the callback: {@code hook} sees each frame first, and may throw. */
  void setFrameHook(Consumer<byte[]> hook) {
    frameHook = hook;
  }

  /** For the start-up line: {@code EN10MB}. */
  public String linkTypeName() {
    return LinkType.name(linkType);
  }
}
