package org.udpknock.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.udpknock.action.ConnectionCounts;
import org.udpknock.report.RefusalLog;

/**
 * The TCP service port: open only while some grant lasts. Each connection from a granted
 * address gets the greeting and a newline, then is closed; any other is reset at once,
 * without a byte: a reset leaves no TIME_WAIT socket behind, where a close would leave one per
 * refusal, and binding the port again (each grant, without nftables) walks them all.
 *
 * <p>One thread and a selector do everything, so no client can hold up another: connections
 * are accepted as fast as they come, greetings are written without blocking, and a client that
 * does not read is cut off at its write deadline. At most {@code maxInFlight} greetings are
 * being written at once; a granted connection beyond that is closed and logged as {@code busy}.
 * Refusals are logged one line each up to a few per second, then summarized ({@link RefusalLog}).
 */
public final class ServiceListener {
  /** The accept queue; the kernel caps it at net.core.somaxconn (4096 on current kernels). */
  static final int BACKLOG = 4096;
  /** Thread joins are bounded: shutdown must take well under a second. */
  private static final long JOIN_MILLIS = 500;
  /** The loop wakes this often to cut off late writers and summarize refusals. */
  private static final long WAKE_MILLIS = 50;
  /** After a failed accept (e.g. out of file descriptors), accepting pauses this long instead of spinning. */
  private static final long ACCEPT_PAUSE_NANOS = 100_000_000L;

  private final InetAddress bindAddress;
  private final int port;
  private final ByteBuffer greetingLine;
  private final Predicate<InetAddress> isGranted;
  private final ServerEvents events;
  private final Clock clock;
  private final long writeTimeoutNanos;
  private final int maxInFlight;

  final AtomicLong served = new AtomicLong();
  final AtomicLong refused = new AtomicLong();
  final AtomicLong timedOut = new AtomicLong();
  final AtomicLong busy = new AtomicLong();

  private Loop loop;
  private Thread thread;
  /** The port's channel while it is open; null while closed. Written under the lock, read by {@link #isOpen} without it. */
  private volatile ServerSocketChannel bound;

  public ServiceListener(InetAddress bindAddress, int port, String greeting,
      Predicate<InetAddress> isGranted, ServerEvents events, Clock clock, long writeTimeoutNanos,
      int maxInFlight) {
    if (writeTimeoutNanos <= 0 || maxInFlight <= 0) {
      throw new IllegalArgumentException("write timeout " + writeTimeoutNanos + " ns, in flight " + maxInFlight);
    }
    this.bindAddress = bindAddress;
    this.port = port;
    this.greetingLine = directCopy((greeting + "\n").getBytes(StandardCharsets.UTF_8));
    this.isGranted = isGranted;
    this.events = events;
    this.clock = clock;
    this.writeTimeoutNanos = writeTimeoutNanos;
    this.maxInFlight = maxInFlight;
  }

  /** Binds and closes the port at once: fails early, with a clear message, if it is taken. */
  static void checkAvailable(InetAddress bindAddress, int port) throws IOException {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(bindAddress, port));
    }
  }

  /** Greeted, refused and busy so far; from any thread. */
  public ConnectionCounts connections() {
    return new ConnectionCounts(served.get(), refused.get(), busy.get());
  }

  /** The port it is bound to (the kernel's choice for port 0), or -1 while closed. */
  public int boundPort() {
    ServerSocketChannel channel = bound;
    return channel == null ? -1 : channel.socket().getLocalPort();
  }

  /** From any thread, without the lock: the capture thread asks it, and must never wait on a bind. */
  public boolean isOpen() {
    return bound != null;
  }

  /**
   * Opens the port if it is closed: the bind and listen happen here, so the kernel accepts
   * connections as soon as this returns; the loop's thread and selector, made at the first
   * open, are kept between openings (a new thread and selector cost ~1 ms on the open path).
   */
  public synchronized void open() throws IOException {
    if (bound != null) {
      return;
    }
    prepare();
    ServerSocketChannel server = ServerSocketChannel.open();
    try {
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true); // Reopen at once despite TIME_WAIT.
      server.bind(new InetSocketAddress(bindAddress, port), BACKLOG);
      server.configureBlocking(false);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    bound = server;
    loop.listen(server);
    events.listenerOpened(port);
  }

  /** Makes the loop's thread and selector, if not yet made, so that the first open only binds. */
  public synchronized void prepare() throws IOException {
    if (loop == null) {
      loop = new Loop(Selector.open());
      thread = new Thread(loop::run, "udpknock-service-" + port);
      thread.setDaemon(true);
      thread.start();
    }
  }

  /**
   * Closes the port if it is open: connections are refused again, greetings being written are
   * cut. Returns once the port is unbound (a bounded wait for the loop); the loop's thread stays.
   */
  public void close() {
    ServerSocketChannel closing;
    Loop running;
    synchronized (this) {
      if (bound == null) {
        return;
      }
      closing = bound;
      running = loop;
      bound = null;
    }
    running.release(closing);
    events.listenerClosed(port);
  }

  /** Closes the port and ends the loop's thread (waiting a bounded time): at the end of the action. */
  public void shutdown() {
    close();
    Loop stopping;
    Thread stoppingThread;
    synchronized (this) {
      stopping = loop;
      stoppingThread = thread;
      loop = null;
      thread = null;
    }
    if (stopping != null) {
      stopping.stop();
      join(stoppingThread);
      stopping.closeAll(); // Idempotent; frees the selector even if the loop did not stop in time.
    }
  }

  /**
   * Direct, so every connection writes from the same native memory: a heap buffer is copied
   * into a temporary direct buffer of its whole remaining size on every write, which with a
   * greeting of megabytes and many slow clients costs both time and native memory.
   */
  private static ByteBuffer directCopy(byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length);
    buffer.put(bytes).flip();
    return buffer.asReadOnlyBuffer();
  }

  private String formatted(InetAddress address) {
    return events.address(LocalAddresses.key(address));
  }

  private static void join(Thread thread) {
    if (thread == Thread.currentThread()) {
      return;
    }
    try {
      thread.join(JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A greeting being written: what is left of it and when the client's time is up. Equal only
   * to itself (not a record: a buffer's hash changes as it is written, which would lose it in a set).
   */
  private static final class Greeting {
    private final SocketChannel channel;
    private final ByteBuffer left;
    private final String source;
    private final long deadlineNanos;

    Greeting(SocketChannel channel, ByteBuffer left, String source, long deadlineNanos) {
      this.channel = channel;
      this.left = left;
      this.source = source;
      this.deadlineNanos = deadlineNanos;
    }

    SocketChannel channel() {
      return channel;
    }

    ByteBuffer left() {
      return left;
    }

    String source() {
      return source;
    }

    long deadlineNanos() {
      return deadlineNanos;
    }
  }

  /**
   * The selector loop: lives from the first open to {@link #shutdown}. Openings are handed to
   * it (registered on its thread at its next wake-up: the kernel accepts meanwhile), and so are
   * closings, which it runs and confirms, so that a close is complete when it returns.
   */
  private final class Loop {
    private final Selector selector;
    private final java.util.Queue<Runnable> handed = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private ServerSocketChannel server;
    private SelectionKey acceptKey;
    private final Set<Greeting> inFlight = new LinkedHashSet<>();
    private RefusalLog refusals = RefusalLog.standard();
    private volatile boolean stopping;
    private boolean closed;
    private long acceptPausedUntil;
    private boolean acceptPaused;

    Loop(Selector selector) {
      this.selector = selector;
    }

    void listen(ServerSocketChannel channel) {
      hand(() -> register(channel));
    }

    /** Unbinds {@code channel} on the loop's thread and waits (bounded) until it is done. */
    void release(ServerSocketChannel channel) {
      java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
      hand(() -> {
        unbind(channel);
        done.countDown();
      });
      try {
        if (!done.await(JOIN_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          Sockets.closeQuietly(channel); // The loop is stuck or gone: free the port anyway.
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        Sockets.closeQuietly(channel);
      }
    }

    private void hand(Runnable task) {
      handed.add(task);
      selector.wakeup();
    }

    private void register(ServerSocketChannel channel) {
      try {
        acceptKey = channel.register(selector, SelectionKey.OP_ACCEPT);
        server = channel;
        acceptPaused = false;
      } catch (IOException e) { // Closed before its registration: nothing to accept.
        events.connectionError("service loop: " + e);
      }
    }

    /** The port closes: its channel, the greetings being written, and the refusal window. */
    private synchronized void unbind(ServerSocketChannel channel) {
      Sockets.closeQuietly(channel);
      if (channel == server) {
        server = null;
        acceptKey = null;
      }
      List<Greeting> cut = new ArrayList<>(inFlight);
      inFlight.clear();
      cut.forEach(greeting -> Sockets.abort(greeting.channel()));
      try {
        selector.selectNow(); // Deregisters the cancelled keys: the socket itself closes now.
        selector.selectedKeys().clear();
      } catch (IOException e) {
        // The selector is gone: its keys with it.
      }
      logRefusalSummary(refusals.takeFinalSummary());
      refusals = RefusalLog.standard();
    }

    void stop() {
      stopping = true;
      selector.wakeup();
    }

    void run() {
      WakeupSlice.shortenForCallingThread();
      try {
        while (!stopping) {
          selector.select(WAKE_MILLIS);
          runHanded();
          handleReadyKeys();
          long now = clock.nowNanos();
          cutOffLateWriters(now);
          resumeAcceptingIfDue(now);
          logRefusalSummary(refusals.takeSummary(now));
        }
      } catch (IOException | RuntimeException e) {
        events.connectionError("service loop: " + e);
      } finally {
        closeAll();
      }
    }

    private void runHanded() {
      for (Runnable task = handed.poll(); task != null; task = handed.poll()) {
        task.run();
      }
    }

    private void handleReadyKeys() {
      Iterator<SelectionKey> ready = selector.selectedKeys().iterator();
      while (ready.hasNext()) {
        SelectionKey key = ready.next();
        ready.remove();
        if (!key.isValid()) {
          continue;
        }
        if (key.isAcceptable()) {
          acceptAll();
        } else if (key.isWritable()) {
          continueWriting((Greeting) key.attachment());
        }
      }
    }

    /** Drains the accept queue: a flood of connections is handled in as few wake-ups as possible. */
    private void acceptAll() {
      while (true) {
        SocketChannel client;
        try {
          client = server == null ? null : server.accept();
        } catch (IOException e) {
          events.connectionError("accept: " + e.getMessage());
          pauseAccepting();
          return;
        }
        if (client == null) {
          return;
        }
        handleNew(client);
      }
    }

    private void handleNew(SocketChannel client) {
      InetAddress remote = client.socket().getInetAddress();
      if (remote == null || !isGranted.test(remote)) {
        refuse(client, remote);
        return;
      }
      String source = formatted(remote);
      if (inFlight.size() >= maxInFlight) {
        busy.incrementAndGet();
        Sockets.abort(client);
        events.connectionDropped(source, inFlight.size());
        return;
      }
      Greeting greeting = new Greeting(client, greetingLine.duplicate(), source,
          clock.nowNanos() + writeTimeoutNanos);
      try {
        client.configureBlocking(false);
        client.write(greeting.left());
        if (!greeting.left().hasRemaining()) {
          finish(greeting);
          return;
        }
        client.register(selector, SelectionKey.OP_WRITE, greeting);
        inFlight.add(greeting);
      } catch (IOException e) {
        fail(greeting, e);
      }
    }

    /** Reset at once, without a byte (see the class); logged one by one only up to a few per second. */
    private void refuse(SocketChannel client, InetAddress remote) {
      refused.incrementAndGet();
      Sockets.abort(client);
      if (refusals.admit(clock.nowNanos())) {
        events.connectionRefused(remote == null ? "unknown" : formatted(remote));
      }
    }

    private void continueWriting(Greeting greeting) {
      try {
        greeting.channel().write(greeting.left());
        if (!greeting.left().hasRemaining()) {
          inFlight.remove(greeting);
          finish(greeting);
        }
      } catch (IOException e) {
        inFlight.remove(greeting);
        fail(greeting, e);
      }
    }

    private void finish(Greeting greeting) {
      Sockets.closeQuietly(greeting.channel());
      served.incrementAndGet();
      events.connectionServed(greeting.source());
    }

    private void fail(Greeting greeting, IOException e) {
      Sockets.abort(greeting.channel());
      events.connectionError(greeting.source() + ": " + e.getMessage());
    }

    /** A client that does not read would otherwise hold a slot (and kernel memory) forever. */
    private void cutOffLateWriters(long now) {
      Iterator<Greeting> writing = inFlight.iterator();
      while (writing.hasNext()) {
        Greeting greeting = writing.next();
        if (now - greeting.deadlineNanos() >= 0) {
          writing.remove();
          Sockets.abort(greeting.channel());
          timedOut.incrementAndGet();
          events.greetingTimedOut(greeting.source(), greeting.left().remaining());
        }
      }
    }

    private void pauseAccepting() {
      if (acceptKey != null && acceptKey.isValid()) {
        acceptKey.interestOps(0);
      }
      acceptPaused = true;
      acceptPausedUntil = clock.nowNanos() + ACCEPT_PAUSE_NANOS;
    }

    private void resumeAcceptingIfDue(long now) {
      if (acceptPaused && now - acceptPausedUntil >= 0 && acceptKey != null && acceptKey.isValid()) {
        acceptKey.interestOps(SelectionKey.OP_ACCEPT);
        acceptPaused = false;
      }
    }

    private void logRefusalSummary(RefusalLog.Summary summary) {
      if (summary != null) {
        events.refusalsSummarized(summary.notLogged(), summary.refused());
      }
    }

    /** Closes the port if still open, cuts every greeting still being written, and the selector. */
    synchronized void closeAll() {
      if (closed) {
        return;
      }
      closed = true;
      if (server != null) {
        unbind(server);
      }
      handed.clear();
      try {
        selector.close();
      } catch (IOException e) {
        // Nothing is left to select on.
      }
    }
  }


}
