package org.udpknock.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.udpknock.core.KnockSequence;

/**
 * Knocks on a sequence of UDP ports, then fetches the greeting from the service port.
 *
 * <p>All knocks leave from one <em>unconnected</em> socket: the knock ports are closed, so the
 * server's kernel answers each knock with ICMP port unreachable, and a connected socket would
 * fail its next send with ECONNREFUSED.
 */
public final class KnockClient {
  private static final int MAX_GREETING_BYTES = 64 * 1024;
  private static final long FIRST_RETRY_NANOS = 500_000L;
  private static final long LAST_RETRY_NANOS = 50_000_000L;
  private static final int MIN_SETTLE_MILLIS = 100;

  private final InetAddress host;
  private final InetAddress source;

  /** {@code source} may be null: the system picks the local address. */
  public KnockClient(InetAddress host, InetAddress source) {
    this.host = host;
    this.source = source;
  }

  /** Sends one datagram per port, {@code delayNanos} apart, with {@code payload} (may be empty). */
  public void knock(KnockSequence sequence, long delayNanos, byte[] payload)
      throws IOException, InterruptedException {
    knock(sequence, delayNanos, payload, () -> 0L);
  }

  /**
   * Like {@link #knock(KnockSequence, long, byte[])}, and reads {@code clock} right after the last
   * datagram is sent, before anything else (closing the socket included).
   *
   * @return what {@code clock} read after the last send
   */
  public long knock(KnockSequence sequence, long delayNanos, byte[] payload, LongSupplier clock)
      throws IOException, InterruptedException {
    return knock(sequence, delayNanos, stage -> payload, clock);
  }

  /**
   * Sends one datagram per port, {@code delayNanos} apart, each with the payload
   * {@code payloadForStage} makes for its 1-based position, right before it is sent (so an
   * authenticated knock carries the time it left).
   *
   * @return what {@code clock} read after the last send
   */
  public long knock(KnockSequence sequence, long delayNanos, IntFunction<byte[]> payloadForStage,
      LongSupplier clock) throws IOException, InterruptedException {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0))) {
      for (int i = 0; i < sequence.length() - 1; i++) {
        send(socket, payloadForStage.apply(i + 1), sequence.port(i));
        if (delayNanos > 0) {
          Thread.sleep(delayNanos / 1_000_000, (int) (delayNanos % 1_000_000));
        }
      }
      send(socket, payloadForStage.apply(sequence.length()), sequence.port(sequence.length() - 1));
      return clock.getAsLong();
    }
  }

  private void send(DatagramSocket socket, byte[] payload, int port) throws IOException {
    socket.send(new DatagramPacket(payload, payload.length, host, port));
  }

  /**
   * Connects to the service port and reads the greeting, retrying until {@code timeoutNanos}
   * has passed: the listener opens a moment after the last knock, and until this source's grant
   * is in, a listener opened for someone else resets the connection without a byte.
   *
   * @return the greeting without its final newline, or empty if none came in time
   */
  public Optional<String> fetchGreeting(int servicePort, long timeoutNanos)
      throws IOException, InterruptedException {
    return retrying(timeoutNanos, remaining -> tryOnce(servicePort, remaining));
  }

  /** One try at the service port with {@code remainingNanos} left: empty to try again. */
  private interface Attempt<T> {
    Optional<T> tryOnce(long remainingNanos) throws IOException;
  }

  /** Tries {@code attempt} until it gives a value or {@code timeoutNanos} has passed, backing off. */
  private static <T> Optional<T> retrying(long timeoutNanos, Attempt<T> attempt)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    long pause = FIRST_RETRY_NANOS;
    while (true) {
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return Optional.empty();
      }
      Optional<T> value = attempt.tryOnce(remaining);
      if (value.isPresent()) {
        return value;
      }
      // parkNanos, not Thread.sleep: on Java 17 sleep rounds up to whole milliseconds.
      LockSupport.parkNanos(Math.max(0, Math.min(pause, deadline - System.nanoTime())));
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
      pause = Math.min(LAST_RETRY_NANOS, pause * 2);
    }
  }

  private Optional<String> tryOnce(int servicePort, long remainingNanos) throws IOException {
    int timeoutMillis = millis(remainingNanos);
    try (Socket socket = new Socket()) {
      connect(socket, servicePort, timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      byte[] bytes = readAll(socket.getInputStream());
      if (bytes.length == 0) {
        return Optional.empty();
      }
      String text = new String(bytes, StandardCharsets.UTF_8);
      return Optional.of(text.endsWith("\n") ? text.substring(0, text.length() - 1) : text);
    } catch (ConnectException | SocketTimeoutException e) {
      return Optional.empty(); // Refused: not open yet, or not for us. Timed out: try again.
    } catch (SocketException e) {
      if (isReset(e)) {
        return Optional.empty(); // Reset: a listener opened for someone else's grant refuses so.
      }
      throw e;
    }
  }

  /**
   * Whether the server reset the connection, as a listener refuses a source without a grant.
   * The JDK has no type of its own for it, only these messages (ECONNRESET's).
   */
  private static boolean isReset(SocketException e) {
    return e.getMessage() != null && e.getMessage().startsWith("Connection reset");
  }

  /** A connection opened for a relay, and the first bytes the server sent on it (maybe none). */
  public record Connection(Socket socket, byte[] firstBytes) {}

  /**
   * Connects to {@code port} for a relay ({@code knock --pipe}), retrying until {@code
   * timeoutNanos} has passed: a port guarded by the kernel refuses until the grant is in. A
   * connection the server resets or closes without a byte within a short settle time is tried
   * again too: a listener opened for someone else's grant resets it until this source's grant is in. The
   * settle time is a few times the connect's round trip, at least {@value #MIN_SETTLE_MILLIS} ms;
   * a server that speaks first (sshd) ends it at once with its first bytes.
   *
   * @return the open connection, or empty if none stayed open in time
   */
  public Optional<Connection> connectForRelay(int port, long timeoutNanos)
      throws IOException, InterruptedException {
    return retrying(timeoutNanos, remaining -> tryRelayConnection(port, remaining));
  }

  private Optional<Connection> tryRelayConnection(int port, long remainingNanos) throws IOException {
    Socket socket = new Socket();
    try {
      long start = System.nanoTime();
      connect(socket, port, millis(remainingNanos));
      long settleNanos = Math.max(MIN_SETTLE_MILLIS * 1_000_000L, 4 * (System.nanoTime() - start));
      Optional<byte[]> first = firstBytes(socket, settleNanos);
      if (first.isPresent()) {
        socket.setSoTimeout(0);
        return Optional.of(new Connection(socket, first.get()));
      }
    } catch (ConnectException | SocketTimeoutException e) {
      // Refused: not open for us yet. Timed out: the deadline decides.
    } catch (SocketException e) {
      if (!isReset(e)) { // A reset as it connects is a refusal too.
        socket.close();
        throw e;
      }
    } catch (IOException e) {
      socket.close();
      throw e;
    }
    socket.close();
    return Optional.empty();
  }

  /** What the server sent within the settle time (maybe nothing), or empty if it closed or reset. */
  private static Optional<byte[]> firstBytes(Socket socket, long settleNanos) throws IOException {
    socket.setSoTimeout(millis(settleNanos));
    byte[] buffer = new byte[4096];
    try {
      int n = socket.getInputStream().read(buffer);
      return n < 0 ? Optional.empty() : Optional.of(Arrays.copyOf(buffer, n));
    } catch (SocketTimeoutException e) {
      return Optional.of(new byte[0]); // Open and quiet: a service where the client speaks first.
    } catch (SocketException e) {
      return Optional.empty(); // Reset: closed with unread bytes, as a refused connection is.
    }
  }

  private void connect(Socket socket, int port, int timeoutMillis) throws IOException {
    if (source != null) {
      socket.bind(new InetSocketAddress(source, 0));
    }
    socket.connect(new InetSocketAddress(host, port), timeoutMillis);
  }

  private static int millis(long nanos) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, nanos / 1_000_000));
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    for (int n; (n = in.read(buffer)) >= 0 && bytes.size() < MAX_GREETING_BYTES; ) {
      bytes.write(buffer, 0, n);
    }
    return bytes.toByteArray();
  }
}
