package org.udpknock.server;

import java.net.InetAddress;
import java.util.stream.Collectors;
import org.udpknock.auth.AuthSettings;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ScanGuard;

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
    int scanGuard,
    AuthSettings auth,
    int maxGrants) {

  public static final String DEFAULT_GREETING = "Bonjour, vous avez réussi la séquence UDP !";
  /** A client that has not read its greeting by then is cut off: it cannot hold a slot forever. */
  public static final long DEFAULT_GREETING_TIMEOUT_NANOS = 5_000_000_000L;
  /** Greetings being written at once; beyond that a granted connection is closed and logged as busy. */
  public static final int DEFAULT_MAX_GREETINGS_IN_FLIGHT = 256;
  /**
   * Grants held at once; beyond that the oldest is evicted. A real client connects within
   * milliseconds of its grant, and eviction takes the oldest first, so a flood evicts it only by
   * granting this many sources in between; 100,000 grants take under 5 MB.
   */
  public static final int DEFAULT_MAX_GRANTS = 100_000;

  /** Plain mode, with the default scan guard, greeting timeout and bound on greetings in flight. */
  public ServerConfig(String interfaceName, KnockSequence sequence, long sequenceTimeoutNanos,
      int maxSources, int servicePort, long serviceTimeoutNanos, InetAddress bindAddress,
      String greeting, boolean anyDestination) {
    this(interfaceName, sequence, sequenceTimeoutNanos, maxSources, servicePort, serviceTimeoutNanos,
        bindAddress, greeting, anyDestination, DEFAULT_GREETING_TIMEOUT_NANOS,
        DEFAULT_MAX_GREETINGS_IN_FLIGHT, ScanGuard.DEFAULT_DISTANCE, null, DEFAULT_MAX_GRANTS);
  }

  /** The same configuration with another greeting timeout. */
  public ServerConfig withGreetingTimeout(long nanos) {
    return new ServerConfig(interfaceName, sequence, sequenceTimeoutNanos, maxSources, servicePort,
        serviceTimeoutNanos, bindAddress, greeting, anyDestination, nanos, maxGreetingsInFlight,
        scanGuard, auth, maxGrants);
  }

  /** The same configuration in authenticated mode ({@code auth} not null) or plain mode. */
  public ServerConfig withAuth(AuthSettings auth) {
    return new ServerConfig(interfaceName, sequence, sequenceTimeoutNanos, maxSources, servicePort,
        serviceTimeoutNanos, bindAddress, greeting, anyDestination, greetingTimeoutNanos,
        maxGreetingsInFlight, scanGuard, auth, maxGrants);
  }

  /** The same configuration with another scan guard distance (0: none). */
  public ServerConfig withScanGuard(int distance) {
    return new ServerConfig(interfaceName, sequence, sequenceTimeoutNanos, maxSources, servicePort,
        serviceTimeoutNanos, bindAddress, greeting, anyDestination, greetingTimeoutNanos,
        maxGreetingsInFlight, distance, auth, maxGrants);
  }

  /** The same configuration with another bound on grants held at once. */
  public ServerConfig withMaxGrants(int grants) {
    return new ServerConfig(interfaceName, sequence, sequenceTimeoutNanos, maxSources, servicePort,
        serviceTimeoutNanos, bindAddress, greeting, anyDestination, greetingTimeoutNanos,
        maxGreetingsInFlight, scanGuard, auth, grants);
  }

  public ScanGuard guard() {
    return ScanGuard.of(sequence, scanGuard);
  }

  /**
   * The BPF filter: only UDP to the sequence's ports and to the guard's reaches user space, e.g.
   * {@code udp and (dst portrange 11901-12103)} for the defaults.
   */
  public String captureFilter() {
    return "udp and (" + guard().watchedPortRanges().stream()
        .map(range -> range[0] == range[1] ? "dst port " + range[0] : "dst portrange " + range[0] + "-" + range[1])
        .collect(Collectors.joining(" or ")) + ")";
  }
}
