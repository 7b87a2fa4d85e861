package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.udpknock.server.LiveHarness.SECOND;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.udpknock.report.EventWriter;

/**
 * The service listener under load and with clients that misbehave. No capture is needed: the
 * grant is a predicate (127.0.0.1 is granted, nothing else is), the clock one the test moves.
 * Traffic stays on loopback.
 */
class ServiceListenerTest {
  private static final String GRANTED = "127.0.0.1";
  private static final String NOT_GRANTED = "127.0.0.2";

  private final StringWriter log = new StringWriter();
  private final AtomicLong clockOffset = new AtomicLong();
  private final Clock clock = () -> Clock.SYSTEM.nowNanos() + clockOffset.get();
  private final List<Socket> sockets = new ArrayList<>();
  private ServiceListener listener;
  private int port;

  @AfterEach
  void closeEverything() {
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException e) {
        // Closing our end: nothing to check.
      }
    }
    if (listener != null) {
      listener.shutdown();
    }
  }

  private void open(String greeting, long writeTimeoutNanos) throws IOException {
    port = LiveHarness.freePort();
    ServerEvents events = new ServerEvents(EventWriter.create(false, new PrintWriter(log, true)), clock);
    listener = new ServiceListener(InetAddress.getByName(GRANTED), port, greeting,
        address -> address.getHostAddress().equals(GRANTED), events, clock, writeTimeoutNanos, 8);
    listener.open();
  }

  private Socket connect(String from, int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    sockets.add(socket);
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer); // Before connect, so the window stays small.
    }
    socket.bind(new InetSocketAddress(from, 0));
    socket.connect(new InetSocketAddress(GRANTED, port), 2000);
    socket.setSoTimeout(3000);
    return socket;
  }

  private static byte[] readAll(Socket socket) throws IOException {
    return socket.getInputStream().readAllBytes();
  }

  @Test
  void aGrantedClientThatNeverReadsDoesNotHoldUpTheNextAndIsCutOffAtItsDeadline() throws Exception {
    // 8 MB: far more than the kernel buffers of both ends, so the write to the stuck client blocks.
    String greeting = "x".repeat(8 << 20);
    open(greeting, 5 * SECOND);
    Socket stuck = connect(GRANTED, 4096);
    LiveHarness.await(() -> log.toString().contains("service-open"), "the listener to open");

    long start = System.nanoTime();
    byte[] second = readAll(connect(GRANTED, 0));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(greeting.length() + 1, second.length, "the second client got the whole greeting");
    assertTrue(millis < 3000, "the second client waited " + millis + " ms");
    assertEquals(1, listener.served.get());
    assertEquals(0, listener.timedOut.get(), "the stuck client is still within its deadline");

    clockOffset.addAndGet(5 * SECOND); // The stuck client's deadline passes.
    // The event is written just after the counter moves: wait for the event, then check the count.
    LiveHarness.await(() -> log.toString().contains("write-timeout 127.0.0.1 bytes-left "),
        () -> "the stuck client to be cut off\n" + log);
    assertEquals(1, listener.timedOut.get(), log.toString());
    assertEquals(1, listener.served.get(), "the stuck client was not counted as served");
    assertStreamEnds(stuck.getInputStream());
  }

  /** The stuck client sees its connection end (reset or end of stream) once cut off. */
  private static void assertStreamEnds(InputStream in) {
    byte[] buffer = new byte[1 << 16];
    long deadline = System.nanoTime() + 5 * SECOND;
    try {
      while (in.read(buffer) >= 0) {
        assertTrue(System.nanoTime() < deadline, "the stuck connection was never closed");
      }
    } catch (IOException reset) {
      // Connection reset: closed with SO_LINGER 0, as intended.
    }
  }

  @Test
  void aThousandConcurrentConnectionsFromAnAddressThatDidNotKnockDoNotKeepTheKnockerOut() throws Exception {
    open(ServerConfig.DEFAULT_GREETING, 5 * SECOND);
    AtomicInteger connected = new AtomicInteger();
    AtomicReference<Throwable> floodFailure = new AtomicReference<>();
    List<Socket> flood = new ArrayList<>();
    Thread flooder = new Thread(() -> {
      try {
        for (int i = 0; i < 1000; i++) {
          Socket socket = new Socket();
          synchronized (flood) {
            flood.add(socket);
          }
          socket.bind(new InetSocketAddress(NOT_GRANTED, 0));
          try {
            socket.connect(new InetSocketAddress(GRANTED, port), 2000);
          } catch (SocketException e) {
            if (!Refusals.isReset(e)) {
              throw e;
            }
            socket.close(); // Refused already: reset as it connected.
          }
          connected.incrementAndGet();
        }
      } catch (Throwable e) {
        floodFailure.set(e);
      }
    }, "flood");
    try {
      flooder.start();
      LiveHarness.await(() -> connected.get() >= 300 || floodFailure.get() != null, "300 flood connections");
      long start = System.nanoTime();
      byte[] greeting = readAll(connect(GRANTED, 0));
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(ServerConfig.DEFAULT_GREETING + "\n", new String(greeting, StandardCharsets.UTF_8));
      assertTrue(millis < 2000, "the knocker waited " + millis + " ms");
      flooder.join(20_000);
      assertEquals(null, floodFailure.get());
      assertEquals(1000, connected.get());
      for (Socket socket : flood) {
        if (!socket.isClosed()) {
          Refusals.assertResetOnRead(socket, "a connection that did not knock");
        }
      }
      LiveHarness.await(() -> listener.refused.get() == 1000, () -> "1000 refusals, saw " + listener.refused.get());
    } finally {
      flooder.join(5000);
      synchronized (flood) {
        sockets.addAll(flood);
      }
    }
    listener.close(); // Ends the refusal window: its summary is written.
    String text = log.toString();
    long lines = text.lines().filter(line -> line.contains(" refused " + NOT_GRANTED)).count();
    long summarized = 0;
    Matcher summary = Pattern.compile("refused-summary not-logged (\\d+) refused (\\d+)").matcher(text);
    while (summary.find()) {
      summarized += Long.parseLong(summary.group(1));
    }
    assertEquals(1000, lines + summarized, "every refusal is logged or summarized\n" + text);
    assertTrue(lines <= 100, lines + " refused lines: the log is flooded");
    assertTrue(text.contains("served 127.0.0.1"), text);
  }
}
