package org.udpknock.server;

import java.net.InetAddress;
import org.udpknock.auth.AuthSettings;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ScanGuard;
import org.udpknock.decode.CaptureFilter;
import org.udpknock.decode.LinkType;

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

  /** The BPF filter for Ethernet frames: see {@link #captureFilter(int)}. */
  public String captureFilter() {
    return captureFilter(LinkType.ETHERNET);
  }

  /**
   * The BPF filter for a capture of {@code linkType}: it passes every frame the decoder could
   * turn into a datagram to the sequence's ports or the guard's ({@link CaptureFilter}), e.g.
   * {@code (udp and (dst portrange 11901-12103)) or (ip6 and (ip6[6] == 0 or ...))}.
   */
  public String captureFilter(int linkType) {
    return CaptureFilter.of(linkType, guard().watchedPortRanges());
  }
}
