package org.udpknock.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code knock --pipe}'s connection and relay against plain loopback listeners: half-closes both
 * ways, and the retries of a connection not yet open to us. The whole path through ssh, sshd
 * and the server is {@code SshProxyCommandIT}.
 */
class StdioRelayTest {
  private static final Duration BOUND = Duration.ofSeconds(10);
  private static final long SECOND = 1_000_000_000L;
  private final KnockClient client = new KnockClient(InetAddress.getLoopbackAddress(), null);

  /** The end of stdin reaches the server as a FIN; its answer still comes back, then stdout closes. */
  @Test
  void theEndOfStdinIsAHalfCloseAndTheAnswerStillComes() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread answering = serve(server, socket -> {
        byte[] request = socket.getInputStream().readAllBytes(); // to the client's FIN
        socket.getOutputStream().write(("got " + new String(request, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
      });
      KnockClient.Connection connection = connect(server.getLocalPort());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertTimeoutPreemptively(BOUND, () -> StdioRelay.run(connection,
          new ByteArrayInputStream("request".getBytes(StandardCharsets.UTF_8)), out));
      assertEquals("got request", out.toString(StandardCharsets.UTF_8));
      answering.join(BOUND.toMillis());
    }
  }

  /** The server's end closes stdout (ssh then sees it) although stdin never ends. */
  @Test
  void theServersEndClosesStdoutWhileStdinStaysOpen() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        PipedOutputStream stdinWriter = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(stdinWriter)) {
      serve(server, socket -> socket.getOutputStream().write("SSH-2.0-test\r\n".getBytes(StandardCharsets.US_ASCII)));
      KnockClient.Connection connection = connect(server.getLocalPort());
      assertEquals("SSH-2.0-test\r\n", new String(connection.firstBytes(), StandardCharsets.US_ASCII),
          "a server that speaks first ends the settle time with its banner");
      ClosingOutput out = new ClosingOutput();
      assertTimeoutPreemptively(BOUND, () -> StdioRelay.run(connection, stdin, out));
      assertEquals("SSH-2.0-test\r\n", out.toString(StandardCharsets.US_ASCII));
      assertTrue(out.closed, "stdout closed at the server's end");
    }
  }

  /**
   * A listener held open by someone else's grant resets our connection without a byte until our
   * grant is in (udpknock's own), or closes it (another server): those connections are tried
   * again, and the relay gets the one that stays.
   */
  @Test
  void connectionsResetOrClosedWithoutAByteAreTriedAgain() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      AtomicInteger accepted = new AtomicInteger();
      Thread listener = new Thread(() -> {
        try {
          while (accepted.get() < 3) {
            try (Socket socket = server.accept()) {
              if (accepted.get() == 0) {
                socket.setSoLinger(true, 0); // The first is reset, the second closed.
              }
              if (accepted.incrementAndGet() == 3) {
                socket.getOutputStream().write("welcome\n".getBytes(StandardCharsets.US_ASCII));
                socket.getInputStream().read(); // held open until the client closes
              }
            }
          }
        } catch (IOException e) {
          // closed at the end of the test
        }
      });
      listener.setDaemon(true);
      listener.start();
      KnockClient.Connection connection = connect(server.getLocalPort());
      try (Socket socket = connection.socket()) {
        assertEquals(3, accepted.get(), "one reset and one closed without a byte, the third kept");
        assertArrayEquals("welcome\n".getBytes(StandardCharsets.US_ASCII), connection.firstBytes());
      }
    }
  }

  /** A service where the client speaks first: open and quiet through the settle time is open. */
  @Test
  void aQuietOpenConnectionIsKept() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      serve(server, socket -> socket.getOutputStream().write(socket.getInputStream().readAllBytes()));
      KnockClient.Connection connection = connect(server.getLocalPort());
      assertEquals(0, connection.firstBytes().length);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertTimeoutPreemptively(BOUND, () -> StdioRelay.run(connection,
          new ByteArrayInputStream("echo me".getBytes(StandardCharsets.UTF_8)), out));
      assertEquals("echo me", out.toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void aPortThatStaysClosedGivesNoConnectionWithinTheTimeout() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    long start = System.nanoTime();
    assertEquals(Optional.empty(), client.connectForRelay(port, SECOND / 5));
    assertTrue(System.nanoTime() - start < 5 * SECOND, "bounded by the timeout");
  }

  private KnockClient.Connection connect(int port) throws Exception {
    return client.connectForRelay(port, 5 * SECOND).orElseThrow(() -> new AssertionError("no connection"));
  }

  private interface Handler {
    void handle(Socket socket) throws IOException;
  }

  /** Serves one connection on a daemon thread, then closes it. */
  private static Thread serve(ServerSocket server, Handler handler) {
    Thread thread = new Thread(() -> {
      try (Socket socket = server.accept()) {
        handler.handle(socket);
      } catch (IOException e) {
        // the test's assertions say what went wrong
      }
    });
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** Records that the relay closed it. */
  private static final class ClosingOutput extends ByteArrayOutputStream {
    boolean closed;

    @Override
    public void close() {
      closed = true;
    }
  }
}
