package org.udpknock.server;

import java.io.Closeable;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/** Closing sockets the way the service listeners need: never throwing, and with a reset where asked. */
public final class Sockets {
  private Sockets() {}

  public static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      // Closing cannot fail in a way we can act on.
    }
  }

  /** Closes with a reset: unsent bytes are dropped at once instead of lingering in the kernel. */
  public static void abort(SocketChannel channel) {
    try {
      channel.setOption(StandardSocketOptions.SO_LINGER, 0);
    } catch (IOException | RuntimeException e) {
      // Closed already, or the option is refused: a plain close will do.
    }
    closeQuietly(channel);
  }
}
