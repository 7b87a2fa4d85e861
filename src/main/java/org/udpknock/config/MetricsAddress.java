package org.udpknock.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the server serves its metrics: {@code metrics = "127.0.0.1:9741"} in the config file, or
 * {@code --metrics 127.0.0.1:9741}. A port knocker must not show a new open port, so a port alone
 * (or {@code localhost:PORT}) is loopback's; any other address must be written out, as an IP
 * address: {@code 0.0.0.0:9741}, {@code [::]:9741}, {@code 192.0.2.7:9741}. Host names are refused
 * (a name would be looked up at each start, and could come to mean another address).
 *
 * @param address the IP address to listen on
 * @param port the TCP port, 1-65535
 */
public record MetricsAddress(InetAddress address, int port) {
  /** The port the README and the default config name; nothing listens there unless asked. */
  public static final int DEFAULT_PORT = 9741;
  private static final Pattern PORT = Pattern.compile("\\d{1,5}");
  private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
  private static final Pattern HOST_AND_PORT = Pattern.compile("(\\[[^\\]]*\\]|[^:\\[\\]]*):([^:]*)");
  private static final String LIKE = "; write an IP address and a port, like 127.0.0.1:9741 (this host"
      + " only), [::1]:9741, or 0.0.0.0:9741 (every address)";

  public MetricsAddress {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is not 1-65535");
    }
  }

  /**
   * Parses {@code PORT}, {@code IPV4:PORT}, {@code [IPV6]:PORT} or {@code localhost:PORT}; no
   * name is looked up.
   *
   * @throws IllegalArgumentException one sentence naming the value and saying how to write it
   */
  public static MetricsAddress parse(String text) {
    if (PORT.matcher(text).matches()) {
      return new MetricsAddress(InetAddress.getLoopbackAddress(), port(text, text));
    }
    Matcher parts = HOST_AND_PORT.matcher(text);
    if (!parts.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not an address and a port" + LIKE);
    }
    if (parts.group(1).isEmpty()) { // Go's exporters read ":9741" as every address: too easy to mistake.
      throw new IllegalArgumentException("'" + text + "' has no address" + LIKE);
    }
    return new MetricsAddress(address(parts.group(1), text), port(parts.group(2), text));
  }

  /** Only loopback can reach it: nothing shows on the host's other addresses. */
  public boolean loopback() {
    return address.isLoopbackAddress();
  }

  /** As it is written: {@code 127.0.0.1:9741}, {@code [::1]:9741}. */
  @Override
  public String toString() {
    String host = address.getHostAddress();
    return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
  }

  private static int port(String port, String text) {
    if (!PORT.matcher(port).matches() || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
      throw new IllegalArgumentException("'" + text + "' has no port 1-65535" + LIKE);
    }
    return Integer.parseInt(port);
  }

  private static InetAddress address(String host, String text) {
    if (host.equals("localhost")) {
      return InetAddress.getLoopbackAddress();
    }
    try {
      if (host.startsWith("[")) { // An IPv6 literal in brackets: getByName parses it, and looks nothing up.
        return InetAddress.getByName(host);
      }
      Matcher ipv4 = IPV4.matcher(host);
      if (ipv4.matches()) {
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
          int part = Integer.parseInt(ipv4.group(i + 1));
          if (part > 255) {
            throw new UnknownHostException(host);
          }
          bytes[i] = (byte) part;
        }
        return InetAddress.getByAddress(bytes);
      }
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + text + "': " + host + " is not an IP address" + LIKE, e);
    }
    throw new IllegalArgumentException("'" + text + "': " + host + " is not an IP address (no name is looked up)"
        + LIKE);
  }
}
