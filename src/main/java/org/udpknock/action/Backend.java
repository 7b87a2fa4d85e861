package org.udpknock.action;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.udpknock.action.DoorAction.ActionException;

/** A forward door's fixed backend, {@code HOST:PORT} ({@code [::1]:22} for an IPv6 literal). */
final class Backend {
  private Backend() {}

  /** Resolves {@code hostPort} once, at start: the relay never looks a name up again. */
  static InetSocketAddress resolve(String hostPort) throws ActionException {
    int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
    if (colon <= 0 || colon == hostPort.length() - 1) {
      throw new ActionException("forward_to must be HOST:PORT, e.g. 127.0.0.1:22, not " + hostPort + ".");
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = port(hostPort, hostPort.substring(colon + 1));
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new ActionException("forward_to " + hostPort + ": cannot resolve " + host
          + "; give an address or a name this host can resolve.", e);
    }
  }

  private static int port(String hostPort, String text) throws ActionException {
    try {
      int port = Integer.parseInt(text);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // Said below.
    }
    throw new ActionException("forward_to " + hostPort + ": the port must be 1 to 65535.");
  }
}
