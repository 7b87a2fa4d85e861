package org.udpknock.server;

import java.net.InetAddress;
import org.udpknock.auth.AuthSettings;
import org.udpknock.core.KnockSequence;

/**
 * What the server was asked to do, checked by the command that built it. {@code auth} is null
 * in plain mode.
 */
public record ServerConfig(
    String interfaceName,
    KnockSequence sequence,
    long sequenceTimeoutNanos,
    int maxSources,
    int servicePort,
    long serviceTimeoutNanos,
    InetAddress bindAddress,
    String greeting,
    boolean anyDestination,
    long greetingTimeoutNanos,
    int maxGreetingsInFlight,
    AuthSettings auth) {

  public static final String DEFAULT_GREETING = "Bonjour, vous avez réussi la séquence UDP !";
  /** A client that has not read its greeting by then is cut off: it cannot hold a slot forever. */
  public static final long DEFAULT_GREETING_TIMEOUT_NANOS = 5_000_000_000L;
  /** Greetings being written at once; beyond that a granted connection is closed and logged as busy. */
  public static final int DEFAULT_MAX_GREETINGS_IN_FLIGHT = 256;

  /** Plain mode, with the default greeting timeout and bound on greetings in flight. */
  public ServerConfig(String interfaceName, KnockSequence sequence, long sequenceTimeoutNanos,
      int maxSources, int servicePort, long serviceTimeoutNanos, InetAddress bindAddress,
      String greeting, boolean anyDestination) {
    this(interfaceName, sequence, sequenceTimeoutNanos, maxSources, servicePort, serviceTimeoutNanos,
        bindAddress, greeting, anyDestination, DEFAULT_GREETING_TIMEOUT_NANOS,
        DEFAULT_MAX_GREETINGS_IN_FLIGHT, null);
  }

  /** The same configuration with another greeting timeout. */
  public ServerConfig withGreetingTimeout(long nanos) {
    return new ServerConfig(interfaceName, sequence, sequenceTimeoutNanos, maxSources, servicePort,
        serviceTimeoutNanos, bindAddress, greeting, anyDestination, nanos, maxGreetingsInFlight, auth);
  }

  /** The same configuration in authenticated mode ({@code auth} not null) or plain mode. */
  public ServerConfig withAuth(AuthSettings auth) {
    return new ServerConfig(interfaceName, sequence, sequenceTimeoutNanos, maxSources, servicePort,
        serviceTimeoutNanos, bindAddress, greeting, anyDestination, greetingTimeoutNanos,
        maxGreetingsInFlight, auth);
  }

  /** The BPF filter: only UDP to the sequence's ports reaches user space. */
  public String captureFilter() {
    StringBuilder ports = new StringBuilder();
    java.util.Arrays.stream(sequence.ports()).distinct().sorted().forEach(port ->
        ports.append(ports.length() == 0 ? "" : " or ").append("dst port ").append(port));
    return "udp and (" + ports + ")";
  }
}
