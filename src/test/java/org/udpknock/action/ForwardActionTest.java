package org.udpknock.action;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.udpknock.server.LiveHarness.SECOND;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.udpknock.report.EventWriter;
import org.udpknock.server.Clock;
import org.udpknock.server.LiveHarness;
import org.udpknock.server.LocalAddresses;
import org.udpknock.server.Refusals;

/**
 * The forward action over real sockets on loopback, with backends written here. 127.0.0.1 holds
 * a grant until {@link #grantExpiresAt} on a clock the test moves; 127.0.0.2 never does. No
 * capture is needed: the grant check stands for the door's grant table.
 */
class ForwardActionTest {
  private static final String GRANTED = "127.0.0.1";
  private static final String NOT_GRANTED = "127.0.0.2";

  private final StringWriter log = new StringWriter();
  private final AtomicLong clockOffset = new AtomicLong();
  private final Clock clock = () -> Clock.SYSTEM.nowNanos() + clockOffset.get();
  private final AtomicLong grantExpiresAt = new AtomicLong();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private ForwardAction action;
  private int port;

  @AfterEach
  void closeEverything() throws Exception {
    if (action != null) {
      action.close();
    }
    for (AutoCloseable closeable : closing) {
      closeable.close();
    }
  }

  /** Starts a forward door to {@code forwardTo}, with 127.0.0.1 granted for 30 s, and opens its port. */
  private void start(String forwardTo, int maxConnections) throws Exception {
    port = LiveHarness.freePort();
    long[] granted = LocalAddresses.key(InetAddress.getByName(GRANTED));
    grantExpiresAt.set(clock.nowNanos() + 30 * SECOND);
    GrantCheck grants = (hi, lo, now) -> hi == granted[0] && lo == granted[1] && now - grantExpiresAt.get() < 0;
    ForwardEvents events = ForwardEvents.writingTo(EventWriter.create(false, new PrintWriter(log, true)), "relay", clock);
    action = new ForwardAction(InetAddress.getByName(GRANTED), port, forwardTo, 5 * SECOND, maxConnections,
        grants, events, clock);
    action.start();
    action.opened(granted[0], granted[1], grantExpiresAt.get());
    assertTrue(action.isPortOpen());
  }

  private TestBackend backend(TestBackend backend) {
    closing.add(backend);
    return backend;
  }

  private Socket connect(String from) throws IOException {
    Socket socket = new Socket();
    closing.add(socket);
    socket.bind(new InetSocketAddress(from, 0));
    socket.connect(new InetSocketAddress(GRANTED, port), 2000);
    socket.setSoTimeout(5000);
    return socket;
  }

  private void awaitLog(String text) {
    LiveHarness.await(() -> log.toString().contains(text), () -> "log line containing '" + text + "'\nlog:\n" + log);
  }

  private static byte[] readExactly(InputStream in, int length) throws IOException {
    byte[] bytes = in.readNBytes(length);
    assertEquals(length, bytes.length, "the stream ended early");
    return bytes;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void aGrantedClientIsRelayedBothWaysAndTheRelayIsLogged() throws Exception {
    TestBackend echo = backend(TestBackend.echo());
    start(echo.hostPort(), 8);
    Socket client = connect(GRANTED);
    client.getOutputStream().write(ascii("ping\n"));
    assertArrayEquals(ascii("ping\n"), readExactly(client.getInputStream(), 5));
    client.shutdownOutput();
    assertEquals(-1, client.getInputStream().read(), "the echo's half-close came through");
    awaitLog("forward-closed relay 127.0.0.1 bytes-in 5 bytes-out 5");
    assertTrue(log.toString().contains("forward-open relay 127.0.0.1 backend " + echo.hostPort()), log.toString());
    assertEquals(new ForwardAction.Counts(1, 0, 1, 0, 0, 0), action.counts());
  }

  @Test
  void sixtyFourMebibytesEachWayArriveIntactThroughTheBoundedBuffers() throws Exception {
    TestBackend echo = backend(TestBackend.echo());
    start(echo.hostPort(), 8);
    Socket client = connect(GRANTED);
    int total = 64 << 20;
    byte[] chunk = new byte[1 << 16];
    new Random(42).nextBytes(chunk);
    CompletableFuture<byte[]> sent = CompletableFuture.supplyAsync(() -> send(client, chunk, total));
    MessageDigest received = MessageDigest.getInstance("SHA-256");
    InputStream in = client.getInputStream();
    byte[] buffer = new byte[1 << 16];
    long count = 0;
    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
      received.update(buffer, 0, n);
      count += n;
    }
    assertEquals(total, count);
    assertArrayEquals(sent.get(10, TimeUnit.SECONDS), received.digest(), "the bytes came back unchanged");
    awaitLog("forward-closed relay 127.0.0.1 bytes-in " + total + " bytes-out " + total);
  }

  /** Writes {@code total} bytes of {@code chunk} repeated, half-closes, and returns their SHA-256. */
  private static byte[] send(Socket client, byte[] chunk, int total) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      OutputStream out = client.getOutputStream();
      for (int sent = 0; sent < total; sent += chunk.length) {
        out.write(chunk);
        digest.update(chunk);
      }
      client.shutdownOutput();
      return digest.digest();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aBackendThatDoesNotReadHoldsTheClientBackInsteadOfFillingMemory() throws Exception {
    java.util.concurrent.CountDownLatch drain = new java.util.concurrent.CountDownLatch(1);
    AtomicLong drained = new AtomicLong();
    TestBackend slow = backend(new TestBackend(connection -> {
      try {
        drain.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        return;
      }
      drained.set(connection.getInputStream().transferTo(OutputStream.nullOutputStream()));
    }));
    start(slow.hostPort(), 8);
    SocketChannel client = SocketChannel.open();
    closing.add(client);
    client.bind(new InetSocketAddress(GRANTED, 0));
    client.connect(new InetSocketAddress(GRANTED, port));
    client.configureBlocking(false);
    long written = writeUntilStuck(client, 256 << 20);
    // Kernel buffers of the four sockets on the way (a few MiB each at most) plus one 64 KiB buffer.
    assertTrue(written < 48 << 20, "the relay took " + written + " bytes from a client whose backend does not read");
    drain.countDown();
    client.shutdownOutput();
    LiveHarness.await(() -> drained.get() == written, () -> "the backend to get all " + written + " bytes, not " + drained);
  }

  /** Writes until the relay takes nothing for 300 ms (or {@code limit} bytes); returns the bytes written. */
  private static long writeUntilStuck(SocketChannel client, long limit) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
    long written = 0;
    long lastProgress = System.nanoTime();
    long deadline = lastProgress + 20 * SECOND;
    while (written < limit && System.nanoTime() - lastProgress < 300_000_000L && System.nanoTime() < deadline) {
      chunk.clear();
      int n = client.write(chunk);
      if (n > 0) {
        written += n;
        lastProgress = System.nanoTime();
      } else {
        LockSupport.parkNanos(1_000_000);
      }
    }
    return written;
  }

  @Test
  void theClientsHalfCloseReachesTheBackendWhichStillAnswers() throws Exception {
    // Answers only once the client's stream has ended: it would wait forever if the half-close were lost.
    TestBackend counting = backend(new TestBackend(connection -> {
      long bytes = connection.getInputStream().transferTo(OutputStream.nullOutputStream());
      connection.getOutputStream().write(ascii("got " + bytes + "\n"));
      connection.close();
    }));
    start(counting.hostPort(), 8);
    Socket client = connect(GRANTED);
    client.getOutputStream().write(ascii("twelve bytes"));
    client.shutdownOutput();
    assertEquals("got 12\n", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
    awaitLog("forward-closed relay 127.0.0.1 bytes-in 12 bytes-out 7");
  }

  @Test
  void theBackendsHalfCloseReachesTheClientWhichStillSends() throws Exception {
    AtomicReference<String> heard = new AtomicReference<>();
    TestBackend banner = backend(new TestBackend(connection -> {
      connection.getOutputStream().write(ascii("banner\n"));
      connection.shutdownOutput();
      heard.set(new String(connection.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
    }));
    start(banner.hostPort(), 8);
    Socket client = connect(GRANTED);
    assertEquals("banner\n", new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII),
        "the stream ended after the banner");
    client.getOutputStream().write(ascii("after the backend's end"));
    client.shutdownOutput();
    LiveHarness.await(() -> "after the backend's end".equals(heard.get()), () -> "the backend to hear " + heard);
    awaitLog("forward-closed relay 127.0.0.1 bytes-in 23 bytes-out 7");
  }

  @Test
  void aBackendThatRefusesGetsTheClientClosedAndLogged() throws Exception {
    int closedPort = LiveHarness.freePort();
    start("127.0.0.1:" + closedPort, 8);
    Socket client = connect(GRANTED);
    assertEquals(-1, client.getInputStream().read(), "the client was closed without a byte");
    awaitLog("forward-failed relay 127.0.0.1 backend 127.0.0.1:" + closedPort + " reason Connection refused");
    assertEquals(new ForwardAction.Counts(0, 1, 0, 0, 0, 0), action.counts());
  }

  @Test
  void aBackendThatNeverAnswersTimesOutOnTheClock() throws Exception {
    // A listening socket whose accept queue is full: Linux drops further SYNs, so connects hang.
    ServerSocket full = new ServerSocket();
    closing.add(full);
    full.bind(new InetSocketAddress(GRANTED, 0), 1);
    fillAcceptQueue(full.getLocalPort());
    start("127.0.0.1:" + full.getLocalPort(), 8);
    Socket client = connect(GRANTED);
    LiveHarness.await(() -> action.counts().active() == 1, () -> "the relay to be connecting\n" + log);
    assertEquals(0, action.counts().failed(), "the backend's time is not up: " + log);
    clockOffset.addAndGet(5 * SECOND);
    awaitLog("forward-failed relay 127.0.0.1 backend 127.0.0.1:" + full.getLocalPort() + " reason timed out after 5000 ms");
    assertEquals(-1, client.getInputStream().read(), "the client was closed without a byte");
    assertEquals(new ForwardAction.Counts(0, 1, 0, 0, 0, 0), action.counts());
  }

  /** Connects until one connect hangs: the queue (backlog + 1 on Linux) is then full. */
  private void fillAcceptQueue(int fullPort) throws IOException {
    for (int i = 0; i < 8; i++) {
      SocketChannel filler = SocketChannel.open();
      closing.add(filler);
      filler.configureBlocking(false);
      filler.connect(new InetSocketAddress(GRANTED, fullPort));
      long deadline = System.nanoTime() + 300_000_000L;
      while (!filler.finishConnect() && System.nanoTime() < deadline) {
        LockSupport.parkNanos(1_000_000);
      }
      if (!filler.isConnected()) {
        return;
      }
    }
    throw new IllegalStateException("the accept queue of port " + fullPort + " never filled");
  }

  @Test
  void aRelayOutlivesItsGrantAndThePortsClosingButNewConnectionsDoNot() throws Exception {
    TestBackend echo = backend(TestBackend.echo());
    start(echo.hostPort(), 8);
    Socket client = connect(GRANTED);
    client.getOutputStream().write(ascii("one"));
    assertArrayEquals(ascii("one"), readExactly(client.getInputStream(), 3));

    clockOffset.addAndGet(31 * SECOND); // The grant has expired.
    Refusals.assertReset(GRANTED, GRANTED, port, "a connection after the expiry");
    awaitLog("refused relay 127.0.0.1");
    action.closePort(); // What the door does once it holds no grant.
    assertThrows(ConnectException.class, () -> connect(GRANTED), "the port is closed");

    client.getOutputStream().write(ascii("two"));
    assertArrayEquals(ascii("two"), readExactly(client.getInputStream(), 3), "the open relay still works");
    assertEquals(1, echo.accepted.get(), "only the granted connection reached the backend");
  }

  @Test
  void aSourceWithoutAGrantIsResetWithoutAByteAndNeverReachesTheBackend() throws Exception {
    TestBackend echo = backend(TestBackend.echo());
    start(echo.hostPort(), 8);
    Refusals.assertReset(NOT_GRANTED, GRANTED, port, "a source without a grant");
    awaitLog("refused relay 127.0.0.2");
    assertEquals(0, echo.accepted.get());
    assertEquals(new ForwardAction.Counts(0, 0, 0, 1, 0, 0), action.counts());
  }

  @Test
  void beyondMaxConnectionsAGrantedConnectionIsClosedAsBusyUntilARelayEnds() throws Exception {
    TestBackend echo = backend(TestBackend.echo());
    start(echo.hostPort(), 2);
    Socket first = connect(GRANTED);
    Socket second = connect(GRANTED);
    LiveHarness.await(() -> action.counts().opened() == 2, () -> "two relays\n" + log);
    Refusals.assertReset(GRANTED, GRANTED, port, "the third, beyond the door's relays");
    awaitLog("busy relay 127.0.0.1 relays 2");
    // The backend counts on its own accepting thread, which may not have run yet.
    LiveHarness.await(() -> echo.accepted.get() == 2, () -> "the backend accepted " + echo.accepted.get() + ", not 2");
    assertEquals(2, echo.accepted.get(), "the busy third never reached the backend");

    first.shutdownOutput();
    awaitLog("forward-closed relay 127.0.0.1");
    Socket fourth = connect(GRANTED);
    fourth.getOutputStream().write(ascii("x"));
    assertArrayEquals(ascii("x"), readExactly(fourth.getInputStream(), 1), "a slot was free again");
    second.getOutputStream().write(ascii("y"));
    assertArrayEquals(ascii("y"), readExactly(second.getInputStream(), 1));
    assertEquals(1, action.counts().busy());
  }

  @Test
  void thePortClosesAndReopensWhileTheThreadStays() throws Exception {
    TestBackend echo = backend(TestBackend.echo());
    start(echo.hostPort(), 8);
    action.closePort();
    assertTrue(!action.isPortOpen());
    assertThrows(ConnectException.class, () -> connect(GRANTED));
    action.openPort();
    Socket client = connect(GRANTED);
    client.getOutputStream().write(ascii("again"));
    assertArrayEquals(ascii("again"), readExactly(client.getInputStream(), 5));
    assertTrue(log.toString().contains("service-closed relay port " + port), log.toString());
  }

  @Test
  void aBadOrUnresolvableBackendIsRefusedAtStartInOneSentence() throws Exception {
    for (String bad : new String[] {"127.0.0.1", "127.0.0.1:0", "127.0.0.1:x", "no-such-host.invalid:22"}) {
      ForwardAction refused = new ForwardAction(InetAddress.getByName(GRANTED), LiveHarness.freePort(), bad,
          SECOND, 1, (hi, lo, now) -> true, ForwardEvents.NONE, clock);
      DoorAction.ActionException e = assertThrows(DoorAction.ActionException.class, refused::start, bad);
      assertTrue(e.getMessage().startsWith("forward_to ") && e.getMessage().endsWith("."), e.getMessage());
    }
  }
}
