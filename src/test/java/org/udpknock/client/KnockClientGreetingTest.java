package org.udpknock.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code knock}'s greeting: what it tries again until the listener greets this source. */
class KnockClientGreetingTest {
  private static final long TEN_SECONDS = 10_000_000_000L;
  private final KnockClient client = new KnockClient(InetAddress.getLoopbackAddress(), null);

  /**
   * Until this source's grant is in, a listener open for someone else's grant resets the
   * connection without a byte: a refusal, tried again, not a failure of the knock.
   */
  @Test
  void connectionsResetWithoutAByteAreTriedAgainUntilTheGreeting() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      AtomicInteger accepted = new AtomicInteger();
      Thread listener = new Thread(() -> resetTwiceThenGreet(server, accepted), "listener");
      listener.setDaemon(true);
      listener.start();
      assertEquals(Optional.of("Bonjour"), client.fetchGreeting(server.getLocalPort(), TEN_SECONDS));
      assertEquals(3, accepted.get(), "two reset, the third greeted");
    }
  }

  private static void resetTwiceThenGreet(ServerSocket server, AtomicInteger accepted) {
    try {
      while (accepted.get() < 3) {
        try (Socket socket = server.accept()) {
          if (accepted.incrementAndGet() < 3) {
            socket.setSoLinger(true, 0); // Closing sends a reset, as ServiceListener refuses.
          } else {
            socket.getOutputStream().write("Bonjour\n".getBytes(StandardCharsets.UTF_8));
          }
        }
      }
    } catch (IOException e) {
      // Closed at the end of the test.
    }
  }
}
