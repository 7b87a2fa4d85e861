package org.udpknock.action;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.udpknock.door.DoorConfig;
import org.udpknock.report.RefusalLog;
import org.udpknock.server.Clock;
import org.udpknock.server.Sockets;
import org.udpknock.server.LocalAddresses;

/**
 * The {@code forward} action: a connection to the door's port from a granted source is relayed
 * both ways to the door's fixed backend ({@code forward_to}); any other is reset at once,
 * without a byte. It is never an open relay: the backend comes from the config only.
 *
 * <p>One thread and a selector do everything, from {@link #start} to {@link #close}: they stay
 * alive between grants, and {@link #openPort}/{@link #closePort} only bind and unbind the
 * listening socket. Closing the port leaves open relays alone, as a firewall leaves an
 * established connection alone when its rule goes. Each direction of a relay has one bounded
 * buffer ({@link #BUFFER_BYTES}); half-closes are passed on, and a relay ends when both
 * directions have ended and been flushed. A backend that refuses or does not answer within
 * {@code connect_timeout} (on the injected clock) gets the client closed and a
 * {@code forward-failed} event. At most {@code max_connections} relays (counting those still
 * connecting) run at once; beyond, a granted connection is closed and logged as {@code busy}.
 * Refusals are logged one line each up to a few per second, then summarized ({@link RefusalLog}).
 */
public final class ForwardAction implements DoorAction {
  /** Per direction: with 256 relays, 32 MiB of native memory at most. */
  public static final int BUFFER_BYTES = 64 * 1024;
  /** The accept queue; the kernel caps it at net.core.somaxconn. */
  static final int BACKLOG = 4096;
  private static final long JOIN_MILLIS = 500;
  /** The loop wakes this often to fail late backend connects and summarize refusals. */
  private static final long WAKE_MILLIS = 50;
  /** After a failed accept (e.g. out of file descriptors), accepting pauses this long instead of spinning. */
  private static final long ACCEPT_PAUSE_NANOS = 100_000_000L;

  private final InetAddress bindAddress;
  private final int port;
  private final String forwardTo;
  private final long connectTimeoutNanos;
  private final int maxConnections;
  private final GrantCheck grants;
  private final ForwardEvents events;
  private final Clock clock;

  private final AtomicLong opened = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong closed = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong busy = new AtomicLong();
  private final AtomicInteger active = new AtomicInteger();

  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private InetSocketAddress backend;
  private Selector selector;
  private Thread thread;
  private volatile boolean stopping;
  /** The bound listening socket, or null: changed under this object's lock only. */
  private ServerSocketChannel server;

  /**
   * @param door its {@code port}, {@code bind}, {@code forward_to}, {@code connect_timeout} and
   *     {@code max_connections} are used
   * @param grants whether a source holds a live grant of this door
   */
  public ForwardAction(DoorConfig door, GrantCheck grants, ForwardEvents events, Clock clock) {
    this(door.bind(), door.port(), door.forwardTo(), door.connectTimeoutNanos(), door.maxConnections(),
        grants, events, clock);
  }

  ForwardAction(InetAddress bindAddress, int port, String forwardTo, long connectTimeoutNanos,
      int maxConnections, GrantCheck grants, ForwardEvents events, Clock clock) {
    if (connectTimeoutNanos <= 0 || maxConnections <= 0 || port < 0 || port > 65535) {
      throw new IllegalArgumentException("connect timeout " + connectTimeoutNanos + " ns, max connections "
          + maxConnections + ", port " + port);
    }
    this.bindAddress = bindAddress;
    this.port = port;
    this.forwardTo = forwardTo;
    this.connectTimeoutNanos = connectTimeoutNanos;
    this.maxConnections = maxConnections;
    this.grants = grants;
    this.events = events;
    this.clock = clock;
  }

  /** Counts since start; {@code active} relays include those still connecting to the backend. */
  public record Counts(long opened, long failed, long closed, long refused, long busy, int active) {}

  public Counts counts() {
    return new Counts(opened.get(), failed.get(), closed.get(), refused.get(), busy.get(), active.get());
  }

  @Override
  public ConnectionCounts connections() {
    return new ConnectionCounts(opened.get(), refused.get(), busy.get());
  }

  /** Resolves the backend, checks the port is free, and starts the thread (the port stays closed). */
  @Override
  public synchronized void start() throws ActionException {
    if (selector != null) {
      throw new IllegalStateException("started twice");
    }
    backend = Backend.resolve(forwardTo);
    checkAvailable();
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new ActionException("cannot open a selector for port " + port + ": " + e.getMessage(), e);
    }
    thread = new Thread(new Loop()::run, "udpknock-forward-" + port);
    thread.setDaemon(true);
    thread.start();
  }

  private void checkAvailable() throws ActionException {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(bindAddress, port));
    } catch (IOException e) {
      throw new ActionException("cannot listen on TCP port " + port + " for forwarding (" + e.getMessage()
          + "); free the port or choose another.", e);
    }
  }

  /** A grant: the port opens if it is closed. A failure to bind is logged. */
  @Override
  public void opened(long sourceHi, long sourceLo, long expiresAtNanos) {
    try {
      openPort();
    } catch (IOException e) {
      events.portFailed(port, e.getMessage());
    }
  }

  /**
   * Nothing: the door's wiring calls {@link #closePort} once it holds no grant (unless the kernel
   * guards the port), and relays already open outlive the grant.
   */
  @Override
  public void closed(long sourceHi, long sourceLo) {}

  public int port() {
    return port;
  }

  public synchronized boolean isPortOpen() {
    return server != null;
  }

  /** Binds the port if it is not bound: from now on, connections queue and are accepted or refused. */
  public synchronized void openPort() throws IOException {
    if (server != null || selector == null || stopping) {
      return;
    }
    ServerSocketChannel channel = ServerSocketChannel.open();
    try {
      channel.setOption(StandardSocketOptions.SO_REUSEADDR, true); // Reopen at once despite TIME_WAIT.
      channel.bind(new InetSocketAddress(bindAddress, port), BACKLOG);
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_ACCEPT); // Does not wait for select (JDK 11+).
    } catch (IOException e) {
      Sockets.closeQuietly(channel);
      throw e;
    }
    server = channel;
    selector.wakeup();
    events.portOpened(port);
  }

  /** Unbinds the port if it is bound, before returning; open relays go on. */
  public void closePort() {
    ServerSocketChannel closing;
    synchronized (this) {
      closing = server;
      server = null;
    }
    if (closing == null) {
      return;
    }
    if (thread.isAlive() && thread != Thread.currentThread()) {
      CountDownLatch done = new CountDownLatch(1);
      runOnLoop(() -> {
        release(closing);
        done.countDown();
      });
      awaitQuietly(done);
    }
    release(closing); // Idempotent; the loop had stopped, or did not answer in time.
    events.portClosed(port);
  }

  /**
   * A registered channel's socket is only released once its selector deregisters it, at the
   * next select: selecting at once frees the port before {@link #closePort} returns.
   */
  private void release(ServerSocketChannel channel) {
    Sockets.closeQuietly(channel);
    try {
      if (selector.isOpen() && !stopping) {
        selector.selectNow(); // Its ready keys stay in the selected set for the loop.
      }
    } catch (IOException e) {
      // The selector is gone: closing it released the socket.
    }
  }

  /** Stops the thread, cuts every relay and unbinds the port. Never throws; twice is harmless. */
  @Override
  public void close() {
    Thread stoppingThread;
    synchronized (this) {
      if (selector == null || stopping) {
        return;
      }
      stopping = true;
      stoppingThread = thread;
    }
    selector.wakeup();
    join(stoppingThread);
    Sockets.closeQuietly(selector); // Deregisters every channel, so closing the port releases it at once.
    closePort();
  }

  private void runOnLoop(Runnable task) {
    tasks.add(task);
    selector.wakeup();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(JOIN_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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

  /** The selector loop, from start to close: every channel is touched on this thread only. */
  private final class Loop {
    private final Set<Relay> relays = new LinkedHashSet<>();
    /** Relays whose backend has not answered yet, oldest first: all share one timeout. */
    private final Set<Relay> connecting = new LinkedHashSet<>();
    private final RefusalLog refusals = RefusalLog.standard();
    private final String backendName = forwardTo;
    private long acceptPausedUntil;
    private boolean acceptPaused;

    void run() {
      try {
        while (!stopping) {
          selector.select(WAKE_MILLIS);
          runTasks();
          handleReadyKeys();
          long now = clock.nowNanos();
          failLateConnects(now);
          resumeAcceptingIfDue(now);
          logRefusalSummary(refusals.takeSummary(now));
        }
      } catch (IOException | RuntimeException e) {
        events.error("forward loop on port " + port + ": " + e);
      } finally {
        runTasks();
        endAll();
      }
    }

    private void runTasks() {
      for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
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
          acceptAll((ServerSocketChannel) key.channel());
        } else if (key.isConnectable()) {
          finishConnect((Relay) key.attachment());
        } else {
          pump((Relay) key.attachment());
        }
      }
    }

    /** Drains the accept queue: a flood of connections is handled in as few wake-ups as possible. */
    private void acceptAll(ServerSocketChannel listening) {
      while (true) {
        SocketChannel client;
        try {
          client = listening.accept();
        } catch (IOException e) {
          events.error("accept on port " + port + ": " + e.getMessage());
          pauseAccepting(listening);
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
      long[] key = remote == null ? null : LocalAddresses.key(remote);
      if (key == null || !grants.isGranted(key[0], key[1], clock.nowNanos())) {
        refuse(client, key);
        return;
      }
      String source = events.address(key[0], key[1]);
      if (relays.size() >= maxConnections) {
        busy.incrementAndGet();
        Sockets.abort(client);
        events.busy(source, relays.size());
        return;
      }
      connectBackend(client, source);
    }

    /**
     * Reset at once, without a byte: no TIME_WAIT socket is left per refusal (see
     * ServiceListener); logged one by one only up to a few per second.
     */
    private void refuse(SocketChannel client, long[] key) {
      refused.incrementAndGet();
      Sockets.abort(client);
      if (refusals.admit(clock.nowNanos())) {
        events.refused(key == null ? "unknown" : events.address(key[0], key[1]));
      }
    }

    private void connectBackend(SocketChannel client, String source) {
      SocketChannel toBackend;
      try {
        toBackend = SocketChannel.open();
      } catch (IOException e) {
        Sockets.closeQuietly(client);
        failed.incrementAndGet();
        events.relayFailed(source, backendName, String.valueOf(e.getMessage()));
        return;
      }
      Relay relay = new Relay(client, toBackend, source, clock.nowNanos() + connectTimeoutNanos, BUFFER_BYTES);
      add(relay);
      try {
        register(relay);
        if (toBackend.connect(backend)) {
          established(relay);
        } else {
          toBackend.keyFor(selector).interestOps(SelectionKey.OP_CONNECT);
          connecting.add(relay);
        }
      } catch (IOException e) {
        fail(relay, String.valueOf(e.getMessage())); // E.g. refused at once.
      }
    }

    /** Neither side is read until the backend answers. */
    private void register(Relay relay) throws IOException {
      relay.client.configureBlocking(false);
      relay.backend.configureBlocking(false);
      noDelay(relay.client);
      noDelay(relay.backend);
      relay.registered(relay.client.register(selector, 0, relay), relay.backend.register(selector, 0, relay));
    }

    private void add(Relay relay) {
      relays.add(relay);
      active.incrementAndGet();
    }

    private void finishConnect(Relay relay) {
      try {
        if (relay.backend.finishConnect()) {
          connecting.remove(relay);
          established(relay);
        }
      } catch (IOException e) {
        fail(relay, String.valueOf(e.getMessage()));
      }
    }

    private void established(Relay relay) {
      relay.connected();
      opened.incrementAndGet();
      events.relayOpened(relay.source, backendName);
      pump(relay); // The client may have written already.
    }

    private void pump(Relay relay) {
      try {
        if (relay.pump()) {
          end(relay, null);
        }
      } catch (IOException e) {
        end(relay, String.valueOf(e.getMessage()));
      }
    }

    /** Time is up for backends that have not answered: their clients are closed. */
    private void failLateConnects(long now) {
      Iterator<Relay> waiting = connecting.iterator();
      while (waiting.hasNext()) {
        Relay relay = waiting.next();
        if (now - relay.connectDeadlineNanos < 0) {
          return; // The rest came later, so their time is not up either.
        }
        waiting.remove();
        fail(relay, "timed out after " + connectTimeoutNanos / 1_000_000 + " ms");
      }
    }

    private void fail(Relay relay, String reason) {
      connecting.remove(relay);
      remove(relay);
      Sockets.closeQuietly(relay.client);
      Sockets.closeQuietly(relay.backend);
      failed.incrementAndGet();
      events.relayFailed(relay.source, backendName, reason);
    }

    /** Both directions done (error null), or one side failed: both are closed. */
    private void end(Relay relay, String error) {
      remove(relay);
      if (error == null) {
        Sockets.closeQuietly(relay.client);
        Sockets.closeQuietly(relay.backend);
      } else {
        Sockets.abort(relay.client);
        Sockets.abort(relay.backend);
      }
      closed.incrementAndGet();
      events.relayClosed(relay.source, relay.bytesIn(), relay.bytesOut(), error);
    }

    private void remove(Relay relay) {
      if (relays.remove(relay)) {
        active.decrementAndGet();
      }
    }

    private void pauseAccepting(ServerSocketChannel listening) {
      SelectionKey key = listening.keyFor(selector);
      if (key != null && key.isValid()) {
        key.interestOps(0);
      }
      acceptPaused = true;
      acceptPausedUntil = clock.nowNanos() + ACCEPT_PAUSE_NANOS;
    }

    private void resumeAcceptingIfDue(long now) {
      if (!acceptPaused || now - acceptPausedUntil < 0) {
        return;
      }
      acceptPaused = false;
      for (SelectionKey key : selector.keys()) {
        if (key.isValid() && key.channel() instanceof ServerSocketChannel) {
          key.interestOps(SelectionKey.OP_ACCEPT);
        }
      }
    }

    private void logRefusalSummary(RefusalLog.Summary summary) {
      if (summary != null) {
        events.refusalsSummarized(summary.notLogged(), summary.refused());
      }
    }

    /** At close: every relay is cut (connecting ones fail) and the refusal window ends. */
    private void endAll() {
      for (Relay relay : new ArrayList<>(relays)) {
        if (relay.isConnected()) {
          end(relay, "door closed");
        } else {
          fail(relay, "door closed");
        }
      }
      logRefusalSummary(refusals.takeFinalSummary());
    }
  }

  private static void noDelay(SocketChannel channel) throws IOException {
    channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // Interactive sessions, e.g. SSH keystrokes.
  }


}
