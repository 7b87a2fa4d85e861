package org.udpknock.core;

import java.util.Arrays;

/** The ports a client must knock on, in order. Immutable. */
public final class KnockSequence {
  public static final int MAX_LENGTH = 32;
  public static final KnockSequence DEFAULT = of(12001, 12002, 12003);

  private final int[] ports;
  /** Indexed by port number, for an O(1) "is this a knock port" test on every packet. */
  private final boolean[] isSequencePort = new boolean[65536];

  private KnockSequence(int[] ports) {
    this.ports = ports;
    for (int port : ports) {
      isSequencePort[port] = true;
    }
  }

  /** A sequence of 1 to {@value #MAX_LENGTH} ports, each 1-65535; ports may repeat. */
  public static KnockSequence of(int... ports) {
    if (ports.length < 1 || ports.length > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "a sequence needs 1 to " + MAX_LENGTH + " ports, not " + ports.length);
    }
    for (int port : ports) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port out of range 1-65535: " + port);
      }
    }
    return new KnockSequence(ports.clone());
  }

  public int length() {
    return ports.length;
  }

  /** The port expected at zero-based position {@code index}. */
  public int port(int index) {
    return ports[index];
  }

  public int firstPort() {
    return ports[0];
  }

  public boolean contains(int port) {
    return port >= 0 && port < isSequencePort.length && isSequencePort[port];
  }

  public int lowestPort() {
    return Arrays.stream(ports).min().getAsInt();
  }

  public int highestPort() {
    return Arrays.stream(ports).max().getAsInt();
  }

  public int[] ports() {
    return ports.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KnockSequence && Arrays.equals(ports, ((KnockSequence) other).ports);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(ports);
  }

  /** Comma-separated, as given on the command line: {@code 12001,12002,12003}. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < ports.length; i++) {
      text.append(i == 0 ? "" : ",").append(ports[i]);
    }
    return text.toString();
  }
}
