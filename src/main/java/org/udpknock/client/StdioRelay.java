package org.udpknock.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Relays one connection to a pair of streams (stdin and stdout for {@code knock --pipe}, which
 * ssh's ProxyCommand talks to), both ways at once, passing each end on as TCP's half-close does:
 * the end of stdin shuts down the sending side of the socket while the server's bytes still come;
 * the end of the server's stream closes stdout, so the reader (ssh) sees it at once. The relay
 * ends with the server's stream, after giving the other direction a moment to finish.
 */
public final class StdioRelay {
  /** How long the last bytes of stdin may still go to a server that has half-closed. */
  private static final long GRACE_MILLIS = 1000;

  private StdioRelay() {}

  /**
   * Relays until the server's stream ends, then closes {@code out} and the socket. Every read is
   * written on at once: {@code out} must not buffer (a FileOutputStream does not).
   *
   * @throws IOException when the server's stream breaks (a reset) or {@code out} cannot be written
   */
  public static void run(KnockClient.Connection connection, InputStream in, OutputStream out)
      throws IOException, InterruptedException {
    Socket socket = connection.socket();
    Thread upstream = new Thread(() -> forward(in, socket), "stdin-to-server");
    upstream.setDaemon(true); // A stdin that never ends must not keep the process alive.
    upstream.start();
    try (socket) {
      try (out) {
        out.write(connection.firstBytes());
        out.flush();
        socket.getInputStream().transferTo(out);
      }
      upstream.join(GRACE_MILLIS);
    }
  }

  /**
   * Stdin to the server, then a half-close. A failure here is not reported: it means the server
   * is gone, which the other direction sees and reports.
   */
  private static void forward(InputStream in, Socket socket) {
    try {
      in.transferTo(socket.getOutputStream());
      socket.shutdownOutput();
    } catch (IOException e) {
      // The server closed or reset: the downstream direction ends with it.
    }
  }
}
