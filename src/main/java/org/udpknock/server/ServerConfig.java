package org.udpknock.server;

import java.net.InetAddress;
import java.util.stream.Collectors;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ScanGuard;

/** What the server was asked to do, checked by the command that built it. */
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
    int scanGuard) {

  public static final String DEFAULT_GREETING = "Bonjour, vous avez réussi la séquence UDP !";

  /** With the default scan guard. */
  public ServerConfig(String interfaceName, KnockSequence sequence, long sequenceTimeoutNanos,
      int maxSources, int servicePort, long serviceTimeoutNanos, InetAddress bindAddress,
      String greeting, boolean anyDestination) {
    this(interfaceName, sequence, sequenceTimeoutNanos, maxSources, servicePort, serviceTimeoutNanos,
        bindAddress, greeting, anyDestination, ScanGuard.DEFAULT_DISTANCE);
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
