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
    AuthSettings auth) {

  public static final String DEFAULT_GREETING = "Bonjour, vous avez réussi la séquence UDP !";

  /** Plain mode, as before authenticated knocks existed. */
  public ServerConfig(String interfaceName, KnockSequence sequence, long sequenceTimeoutNanos,
      int maxSources, int servicePort, long serviceTimeoutNanos, InetAddress bindAddress,
      String greeting, boolean anyDestination) {
    this(interfaceName, sequence, sequenceTimeoutNanos, maxSources, servicePort, serviceTimeoutNanos,
        bindAddress, greeting, anyDestination, null);
  }

  /** The BPF filter: only UDP to the sequence's ports reaches user space. */
  public String captureFilter() {
    StringBuilder ports = new StringBuilder();
    java.util.Arrays.stream(sequence.ports()).distinct().sorted().forEach(port ->
        ports.append(ports.length() == 0 ? "" : " or ").append("dst port ").append(port));
    return "udp and (" + ports + ")";
  }
}
