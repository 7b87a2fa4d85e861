package org.udpknock.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisConnectionException;

class StoreFailureTest {
  private static final String STORE = "redis://10.0.0.5:6379/0";

  /** Was: "failed (Failed to connect to ...)": Jedis keeps the reason in a suppressed exception. */
  @Test
  void namesTheReasonJedisKeepsInASuppressedException() {
    JedisConnectionException failure = new JedisConnectionException("Failed to connect to 10.0.0.5:6379.");
    failure.addSuppressed(new ConnectException("Connection refused"));
    assertEquals("the grant store " + STORE + " is unreachable (Connection refused); granting locally, retrying",
        StoreFailure.describe(STORE, failure, 1000));
  }

  @Test
  void saysHowLongItWaitedForAnAnswer() {
    JedisConnectionException failure = new JedisConnectionException(new SocketTimeoutException("Read timed out"));
    assertEquals("the grant store " + STORE + " did not answer within 1000 ms; granting locally, retrying",
        StoreFailure.describe(STORE, failure, 1000));
  }
}
