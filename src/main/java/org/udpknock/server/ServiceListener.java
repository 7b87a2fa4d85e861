package org.udpknock.server;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import org.udpknock.core.Addresses;

/**
 * The TCP service port: open only while some grant lasts. Each connection from a granted
 * address gets the greeting and a newline, then is closed; any other is closed at once,
 * without a byte.
 */
final class ServiceListener {
  /** Thread joins are bounded: shutdown must take well under a second. */
  private static final long JOIN_MILLIS = 500;

  private final InetAddress bindAddress;
  private final int port;
  private final byte[] greetingLine;
  private final Predicate<InetAddress> isGranted;
  private final ServerEvents events;

  private ServerSocket socket;
  private Thread acceptor;

  ServiceListener(InetAddress bindAddress, int port, String greeting,
      Predicate<InetAddress> isGranted, ServerEvents events) {
    this.bindAddress = bindAddress;
    this.port = port;
    this.greetingLine = (greeting + "\n").getBytes(StandardCharsets.UTF_8);
    this.isGranted = isGranted;
    this.events = events;
  }

  /** Binds and closes the port at once: fails early, with a clear message, if it is taken. */
  static void checkAvailable(InetAddress bindAddress, int port) throws IOException {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(bindAddress, port));
    }
  }

  synchronized boolean isOpen() {
    return socket != null;
  }

  /** Opens the port if it is closed. */
  synchronized void open() throws IOException {
    if (socket != null) {
      return;
    }
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true); // Reopen at once even with connections in TIME_WAIT.
    server.bind(new InetSocketAddress(bindAddress, port), 128);
    socket = server;
    acceptor = new Thread(() -> acceptLoop(server), "udpknock-service-" + port);
    acceptor.setDaemon(true);
    acceptor.start();
    events.listenerOpened(port);
  }

  /** Closes the port if it is open: connections are refused again. */
  void close() {
    Thread stopping;
    synchronized (this) {
      if (socket == null) {
        return;
      }
      try {
        socket.close(); // Unblocks accept().
      } catch (IOException e) {
        // Closing a listening socket does not fail in a way we can act on.
      }
      socket = null;
      stopping = acceptor;
      acceptor = null;
    }
    join(stopping);
    events.listenerClosed(port);
  }

  private void acceptLoop(ServerSocket server) {
    while (!server.isClosed()) {
      try (Socket connection = server.accept()) {
        serve(connection);
      } catch (SocketException closed) {
        return;
      } catch (IOException e) {
        events.connectionError(e.getMessage());
      }
    }
  }

  private void serve(Socket connection) throws IOException {
    InetAddress remote = connection.getInetAddress();
    String source = formatted(remote);
    if (!isGranted.test(remote)) {
      events.connectionRefused(source);
      return; // try-with-resources closes it: no byte is sent.
    }
    OutputStream out = connection.getOutputStream();
    out.write(greetingLine);
    out.flush();
    events.connectionServed(source);
  }

  private static String formatted(InetAddress address) {
    long[] key = LocalAddresses.key(address);
    return Addresses.format(key[0], key[1]);
  }

  private static void join(Thread thread) {
    if (thread == null || thread == Thread.currentThread()) {
      return;
    }
    try {
      thread.join(JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
