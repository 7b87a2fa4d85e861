package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;

/** How a test sees a listener refuse a source: reset at once, without a byte. */
public final class Refusals {
  private Refusals() {}

  /**
   * Connects from {@code source} to {@code host:port} and asserts that the connection is reset
   * without a byte: as it connects (the reset can come before connect returns), or on the first
   * read. An end of stream (a plain close, which leaves a TIME_WAIT socket) fails.
   */
  public static void assertReset(String source, String host, int port, String why) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(source, 0));
      try {
        socket.connect(new InetSocketAddress(host, port), 2000);
      } catch (SocketException e) {
        assertTrue(isReset(e), why + ": connect failed otherwise than by a reset: " + e);
        return;
      }
      assertResetOnRead(socket, why);
    }
  }

  /** Asserts that reading {@code socket} meets a reset before any byte or the end of the stream. */
  public static void assertResetOnRead(Socket socket, String why) throws IOException {
    socket.setSoTimeout(3000);
    try {
      int first = socket.getInputStream().read();
      fail(why + ": " + (first < 0 ? "closed, not reset" : "got a byte"));
    } catch (SocketException e) {
      assertTrue(isReset(e), why + ": " + e);
    }
  }

  /** ECONNRESET, as the JDK words it (it has no type of its own for it). */
  public static boolean isReset(SocketException e) {
    return e.getMessage() != null && e.getMessage().startsWith("Connection reset");
  }
}
