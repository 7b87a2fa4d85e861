package org.udpknock.capture;

import java.io.IOException;
import java.io.OutputStream;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
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
 * Live capture: pcap4j opens, filters and counts the handle; {@link PacketReader} reads its
 * packets with direct libpcap calls into reused buffers, and the pure decoder does the rest
 * (pcap4j's own decoding is 2x slower and allocates ~3 KB a packet; its loop, a JNA callback
 * and six objects per packet, cost more CPU than all of udpknock's own work).
 *
 * <p>Settings that matter (see shared/notes/pcap4j.md): immediate mode, or knocks sit in the
 * kernel buffer for up to a second; a small snaplen, since only headers are read; a kernel buffer
 * (the ring) large enough that floods are not dropped, and no larger: it is resident memory.
 */
public final class PcapCapture implements PacketSource {
  public static final int SNAPLEN = 256;
  /** The ring's size when none is given: see {@link org.udpknock.config.Config#DEFAULT_CAPTURE_BUFFER_BYTES}. */
  public static final int DEFAULT_BUFFER_BYTES = org.udpknock.config.Config.DEFAULT_CAPTURE_BUFFER_BYTES;
  /** Bounds how long a blocked read waits, so a stop is seen even on an idle interface. */
  private static final int READ_TIMEOUT_MILLIS = 100;
  /** Bounds the drain of a switch: a flood cannot hold it forever (the ring holds fewer frames). */
  private static final int DRAIN_LIMIT = 1_000_000;
  private static final AtomicBoolean WARMED_UP = new AtomicBoolean();

  private final String interfaceName;
  private final int bufferBytes;
  private volatile String filter;
  /** The handle read now; replaced only by the capture thread, between two reads ({@link #switchHandles}). */
  private volatile PcapHandle handle;
  /** Reads {@link #handle}; capture thread only. */
  private PacketReader reader;
  /** Held while {@link #run} reads: close() waits for it, as pcap4j's close waited for its loop. */
  private final ReentrantLock reading = new ReentrantLock();
  /** A handle opened with a reload's filter, capturing already, that the capture thread switches to. */
  private final java.util.concurrent.atomic.AtomicReference<Opened> pending = new java.util.concurrent.atomic.AtomicReference<>();
  /** Counters of the handles switched away from, so the totals never go backwards. */
  private volatile CaptureStats retired = CaptureStats.NONE;
  /** Capture thread only: the last frame delivered, and, after a switch, the old handle's last one. */
  private long lastNanos = Long.MIN_VALUE;
  private byte[] lastFrame;
  private int lastLength;
  private long skipThroughNanos = Long.MIN_VALUE;
  private byte[] skipFrame;
  private final int linkType;
  private final Ingress ingress;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile boolean closed;
  /** Runs on each frame before it is handed over; tests make it throw. Null in production. */
  private volatile Consumer<byte[]> frameHook;

  private PcapCapture(String interfaceName, int bufferBytes, Opened opened) {
    this.interfaceName = interfaceName;
    this.bufferBytes = bufferBytes;
    this.filter = opened.filter();
    this.handle = opened.handle();
    this.reader = opened.reader();
    this.linkType = handle.getDlt().value();
    this.ingress = ingressOf(interfaceName);
  }

  private record Opened(PcapHandle handle, String filter, PacketReader reader) {}

  /** Opens {@code interfaceName} and applies {@code filter}; errors say what to do. */
  public static PcapCapture open(String interfaceName, String filter) throws CaptureException {
    return open(interfaceName, linkType -> filter, DEFAULT_BUFFER_BYTES);
  }

  /** As {@link #open(String, IntFunction, int)} with the default ring. */
  public static PcapCapture open(String interfaceName, IntFunction<String> filterForLinkType) throws CaptureException {
    return open(interfaceName, filterForLinkType, DEFAULT_BUFFER_BYTES);
  }

  /**
   * Opens {@code interfaceName} and applies the filter for its link type; errors say what to do.
   * A cooked capture ({@code any}) is switched to LINUX_SLL2, whose header carries the interface
   * index that link-local sources are keyed with. The kernel's ring holds {@code bufferBytes}.
   */
  public static PcapCapture open(String interfaceName, IntFunction<String> filterForLinkType, int bufferBytes)
      throws CaptureException {
    Pcap.awaitPreload(); // Its warm-up of reads, if one runs, ends before the capture starts.
    Pcap.libraryVersion();
    warmUpOnce();
    return new PcapCapture(interfaceName, bufferBytes, openHandle(interfaceName, filterForLinkType, bufferBytes));
  }

  private static Opened openHandle(String interfaceName, IntFunction<String> filterForLinkType, int bufferBytes)
      throws CaptureException {
    PcapHandle handle = build(interfaceName, bufferBytes);
    preferSll2(handle);
    String filter = filterForLinkType.apply(handle.getDlt().value());
    try {
      handle.setFilter(filter, BpfCompileMode.OPTIMIZE);
    } catch (PcapNativeException | NotOpenException e) {
      handle.close();
      throw new CaptureException(Kind.BAD_FILTER, "the capture filter '" + filter
          + "' was refused by libpcap: " + e.getMessage());
    }
    try {
      return new Opened(handle, filter, new PacketReader(handle, SNAPLEN));
    } catch (CaptureException e) {
      handle.close();
      throw e;
    }
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
   * Loads libpcap and warms up its callback (see {@link #warmUpReads}) on a thread of its
   * own, while the server starts (see {@link Pcap#preload}); {@code open} waits for both.
   */
  public static void preload() {
    Pcap.preload(new Runnable() { // Not a method reference: see Pcap.preload.
      @Override
      public void run() {
        warmUpOnce();
      }
    });
  }

  /** Once per process: reopening after an interface comes back needs no more. */
  private static void warmUpOnce() {
    if (WARMED_UP.compareAndSet(false, true)) {
      warmUpReads();
    }
  }

  /**
   * The first read binds libpcap's functions through JNA and loads the reader's classes (the
   * first callback of pcap4j's loop cost ~17 ms here): pay that at start, on a file read by the
   * same reader, rather than on the first knock. Its {@link #WARM_UP_FRAMES} frames take the
   * reader past the JIT's threshold: C1 compiles a method at its 200th call, seen only every 128
   * calls, and at start, with the compiler's queue long, a threshold scaled up with the queue
   * (Tier3LoadFeedback): with 300 frames, -XX:+PrintCompilation showed the reader's next and
   * deliver still interpreted at 'listening', compiled at the second knock; with 1000, before
   * (and no slower a start: medians of 9 alternating starts, by hand). Cold, the first frame of
   * a knock took 30-100 us from libpcap to the pipeline.
   * Failing only makes the first knocks slower.
   */
  private static void warmUpReads() {
    Path file = null;
    try {
      file = createWarmUpFile();
      try (OutputStream out = Files.newOutputStream(file)) {
        PcapWriter writer = new PcapWriter(out, LinkType.ETHERNET, false, ByteOrder.LITTLE_ENDIAN, SNAPLEN);
        byte[] frame = new byte[60];
        for (int i = 0; i < WARM_UP_FRAMES; i++) {
          writer.write(i, frame, 0, frame.length, frame.length);
        }
        writer.flush();
      }
      PcapHandle offline = Pcaps.openOffline(file.toString());
      try {
        PacketReader reader = new PacketReader(offline, SNAPLEN);
        while (reader.next(IGNORED) == PacketReader.PACKET) {
          // each frame ignored
        }
      } finally {
        offline.close();
      }
    } catch (IOException | PcapNativeException | CaptureException | RuntimeException | LinkageError e) {
      // Only the first knock will be slower.
    } finally {
      deleteQuietly(file);
    }
  }

  private static final int WARM_UP_FRAMES = 1000;

  /**
   * Loaded with this class, so before the warm-up's reads: while {@link #IGNORED}'s class was the
   * only receiver the JVM had loaded, C1 compiled the reader's deliver with its call inlined, and
   * loading the live receiver's class at the capture's start threw that code away
   * (-XX:+PrintCompilation: "made not entrant" just before 'listening'), so the first live frames
   * ran the reader in the interpreter.
   */
  @SuppressWarnings("unused")
  private static final Class<?> LIVE_RECEIVER = SinkReceiver.class;

  private static final PacketReader.Receiver IGNORED = new PacketReader.Receiver() {
    @Override
    public void frame(long timeNanos, byte[] data, int length) {}

    @Override
    public void refused(RuntimeException why) {}
  };

  /**
   * A new file of this process's own in the temporary directory, readable by its owner alone.
   * Not Files.createTempFile: its random name comes from a SecureRandom, whose first use (the
   * security providers, the seeding) took ~20 ms of CPU at start, nothing else in the server's
   * start needs one, and the name need not be secret: the file is made with O_EXCL, which fails
   * on any name someone else made first, a link included, and then the next name is tried.
   */
  static Path createWarmUpFile() throws IOException {
    Path directory = Path.of(System.getProperty("java.io.tmpdir"));
    for (int attempt = 1; ; attempt++) {
      Path file = directory.resolve("udpknock-warmup-" + System.nanoTime() + ".pcap");
      try {
        return Files.createFile(file, OWNER_ONLY);
      } catch (FileAlreadyExistsException e) {
        if (attempt == WARM_UP_FILE_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  private static final int WARM_UP_FILE_ATTEMPTS = 5;
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")); // As KeyFile's.

  private static void deleteQuietly(Path file) {
    try {
      if (file != null) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // A stray file in the temporary directory.
    }
  }

  private static PcapHandle build(String interfaceName, int bufferBytes) throws CaptureException {
    try {
      PcapHandle.Builder builder = builder(interfaceName, bufferBytes);
      if (NanosecondProbe.supports(interfaceName)) { // Else pcap4j logs an ERROR and uses microseconds.
        builder.timestampPrecision(TimestampPrecision.NANO);
      }
      return builder.build();
    } catch (PcapNativeException e) {
      if (isPrecisionUnsupported(e)) {
        try {
          return builder(interfaceName, bufferBytes).build();
        } catch (PcapNativeException again) {
          throw translate(interfaceName, again);
        }
      }
      throw translate(interfaceName, e);
    }
  }

  private static PcapHandle.Builder builder(String interfaceName, int bufferBytes) {
    return new PcapHandle.Builder(interfaceName)
        .snaplen(SNAPLEN)
        .promiscuousMode(PromiscuousMode.NONPROMISCUOUS)
        .timeoutMillis(READ_TIMEOUT_MILLIS)
        .bufferSize(bufferBytes)
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

  /**
   * Reads until {@link #stop}, switching handles when a reload opened one. One bad record must
   * never end the capture: a record libpcap gives with no bytes or a sub-second field out of
   * range, or a frame whose handling throws, is handed to the sink as failed (counted), and the
   * loop goes on.
   */
  @Override
  public void run(FrameSink sink) throws CaptureException {
    PacketReader.Receiver receiver = receiverFor(sink);
    reading.lock();
    try {
      while (!stopping.get() && !closed) {
        switchHandles(receiver);
        readUntilBroken(receiver);
      }
    } finally {
      reading.unlock();
    }
  }

  /** Reads the current handle until a stop, or a handle to switch to (breakLoop wakes a blocked read). */
  private void readUntilBroken(PacketReader.Receiver receiver) throws CaptureException {
    while (!stopping.get() && pending.get() == null) {
      int code = reader.next(receiver);
      if (code < 0 && code != PacketReader.BROKEN && !stopping.get()) {
        throw failure(reader.error());
      }
    }
  }

  private CaptureException failure(String message) {
    Kind kind = message.contains("disappeared") || message.contains("went down")
        ? Kind.INTERFACE_GONE : Kind.OTHER;
    return new CaptureException(kind, "the capture on " + interfaceName + " failed: " + message);
  }

  private PacketReader.Receiver receiverFor(FrameSink sink) {
    return new SinkReceiver(sink);
  }

  /** The live capture's receiver: a class of its own, which the warm-up loads first (see {@link #LIVE_RECEIVER}). */
  private final class SinkReceiver implements PacketReader.Receiver {
    private final FrameSink sink;

    SinkReceiver(FrameSink sink) {
      this.sink = sink;
    }

    @Override
    public void frame(long timeNanos, byte[] data, int length) {
      deliver(sink, timeNanos, data, length);
    }

    @Override
    public void refused(RuntimeException why) {
      sink.frameFailed(why);
    }
  }

  /** The frame is in the reader's buffer, valid until the read after next: nothing downstream keeps it. */
  private void deliver(FrameSink sink, long nanos, byte[] data, int length) {
    try {
      Consumer<byte[]> hook = frameHook;
      if (hook != null) {
        hook.accept(Arrays.copyOf(data, length));
      }
      if (seenOnTheOldHandle(nanos, data, length)) {
        return;
      }
      lastNanos = nanos;
      lastFrame = data;
      lastLength = length;
      sink.onFrame(nanos, linkType, ingress, data, 0, length);
    } catch (RuntimeException e) {
      sink.frameFailed(e);
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
  private void switchHandles(PacketReader.Receiver receiver) {
    Opened next = pending.getAndSet(null);
    if (next == null) {
      return;
    }
    PcapHandle old = handle;
    drain(old, reader, receiver);
    skipThroughNanos = lastNanos;
    skipFrame = lastFrame == null ? null : Arrays.copyOf(lastFrame, lastLength);
    CaptureStats last = stats();
    retired = last;
    handle = next.handle();
    reader = next.reader();
    filter = next.filter();
    old.close();
  }

  /**
   * Delivers what the old handle holds still, without waiting: non-blocking reads until one
   * finds nothing, or a stop. The reload's breakLoop may still be pending on the old handle (the
   * read loop saw the new handle first): that read returns at once and the drain goes on. If the
   * mode cannot change, the last read waits for the read timeout instead.
   */
  private void drain(PcapHandle old, PacketReader oldReader, PacketReader.Receiver receiver) {
    try {
      old.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
    } catch (PcapNativeException | NotOpenException e) {
      // Drained in blocking mode.
    }
    for (int read = 0; read < DRAIN_LIMIT && !stopping.get(); read++) {
      int code = oldReader.next(receiver);
      if (code != PacketReader.PACKET && code != PacketReader.BROKEN) {
        return;
      }
    }
  }

  /**
   * After a switch, the new handle's frames stamped before the old handle's last one (or that
   * one itself) were delivered already; the first later frame ends the check, so a clock step
   * back afterwards skips nothing.
   */
  private boolean seenOnTheOldHandle(long nanos, byte[] data, int length) {
    if (skipThroughNanos == Long.MIN_VALUE) {
      return false;
    }
    if (nanos < skipThroughNanos || (nanos == skipThroughNanos && skipFrame != null
        && Arrays.equals(data, 0, length, skipFrame, 0, skipFrame.length))) {
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
    Opened next = openHandle(interfaceName, filterForLinkType, bufferBytes);
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

  /**
   * Close only after {@link #run} has returned: close() blocks while a read is in progress (the
   * reader's native calls must never meet a freed handle).
   */
  @Override
  public void close() {
    closed = true;
    reading.lock();
    try {
      handle.close();
    } finally {
      reading.unlock();
    }
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
