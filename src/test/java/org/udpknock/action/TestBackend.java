package org.udpknock.action;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend written for the forwarding tests, on 127.0.0.1 and a port of its own: each accepted
 * connection is handed to {@code handler} on a thread of its own. Closing stops accepting and
 * closes every connection.
 */
final class TestBackend implements AutoCloseable {
  /** What the backend does with one connection. */
  interface Handler {
    void handle(Socket connection) throws IOException;
  }

  private final ServerSocket server;
  private final Handler handler;
  private final List<Socket> connections = new CopyOnWriteArrayList<>();
  final AtomicInteger accepted = new AtomicInteger();

  TestBackend(Handler handler) throws IOException {
    this.handler = handler;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    Thread acceptor = new Thread(this::acceptAll, "test-backend-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Echoes every byte, and half-closes its way once the client has. */
  static TestBackend echo() throws IOException {
    return new TestBackend(connection -> {
      InputStream in = connection.getInputStream();
      OutputStream out = connection.getOutputStream();
      in.transferTo(out);
      connection.shutdownOutput();
    });
  }

  String hostPort() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  private void acceptAll() {
    while (!server.isClosed()) {
      try {
        Socket connection = server.accept();
        connections.add(connection);
        accepted.incrementAndGet();
        Thread worker = new Thread(() -> serve(connection), "test-backend-connection");
        worker.setDaemon(true);
        worker.start();
      } catch (IOException e) {
        return; // Closed.
      }
    }
  }

  private void serve(Socket connection) {
    try {
      handler.handle(connection);
    } catch (IOException e) {
      // The test sees what it needs from its own end.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket connection : connections) {
      connection.close();
    }
  }
}
