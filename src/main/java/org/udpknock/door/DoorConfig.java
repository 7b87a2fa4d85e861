package org.udpknock.door;

import java.net.InetAddress;
import org.udpknock.auth.AuthSettings;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ScanGuard;

/**
 * One door, as the config file or the command line gives it: its knock rules, how long a grant
 * lasts, and its action. Checked by whoever built it (the config loader or the command line).
 * Several doors share one capture; each has its own attempts and grants.
 *
 * @param name unique among the doors: a letter, then letters, digits, {@code -} or {@code _}
 * @param rules the knock rules: sequence, timeout, scan guard, authentication
 * @param openForNanos how long a grant lasts ({@code open_for}, default 30 s)
 * @param action what a grant does
 * @param port the TCP port the action listens on (greet, forward) or protects (nftables); 0 for none
 * @param bind the address a listening door binds, or null for all
 * @param greeting the greet action's line
 * @param writeTimeoutNanos how long a granted client of a greet door has to read its greeting
 * @param forwardTo the forward action's backend, {@code HOST:PORT}; null for other actions
 * @param connectTimeoutNanos the forward action's backend connect timeout
 * @param maxConnections the forward action's bound on concurrent relays
 * @param commands on_open / on_close, for any action
 * @param sharing whether the door's grants are shared with a fleet's other hosts, and where its commands run
 */
public record DoorConfig(
    String name,
    KnockRules rules,
    long openForNanos,
    ActionKind action,
    int port,
    InetAddress bind,
    String greeting,
    long writeTimeoutNanos,
    String forwardTo,
    long connectTimeoutNanos,
    int maxConnections,
    Commands commands,
    Sharing sharing) {

  public static final String DEFAULT_NAME = "default";
  public static final int MAX_NAME_LENGTH = 32;
  /** A door's name: a letter, then letters, digits, {@code -} or {@code _}; the config's rule, and the fleet's messages'. */
  public static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile(
      "[A-Za-z][A-Za-z0-9_-]{0," + (MAX_NAME_LENGTH - 1) + "}");
  public static final String DEFAULT_GREETING = "Bonjour, vous avez réussi la séquence UDP !";
  public static final long DEFAULT_OPEN_FOR_NANOS = 30_000_000_000L;
  public static final int DEFAULT_PORT = 2223;
  public static final long DEFAULT_WRITE_TIMEOUT_NANOS = 5_000_000_000L;
  public static final long DEFAULT_CONNECT_TIMEOUT_NANOS = 5_000_000_000L;
  public static final int DEFAULT_MAX_CONNECTIONS = 256;

  /**
   * The knock rules of a door. Two doors' rules are equal when they would judge every datagram
   * the same way: on reload, a door whose rules are unchanged keeps its attempts and grants.
   *
   * @param scanGuard guard distance in ports, 0 for none
   * @param auth authenticated mode's settings, or null in plain mode
   */
  public record KnockRules(KnockSequence sequence, long seqTimeoutNanos, int scanGuard, AuthSettings auth) {
    public ScanGuard guard() {
      return ScanGuard.of(sequence, scanGuard);
    }

    public KnockRules withAuth(AuthSettings settings) {
      return new KnockRules(sequence, seqTimeoutNanos, scanGuard, settings);
    }

    public KnockRules withScanGuard(int distance) {
      return new KnockRules(sequence, seqTimeoutNanos, distance, auth);
    }
  }

  /** The same door with other knock rules. */
  public DoorConfig withRules(KnockRules knockRules) {
    return new DoorConfig(name, knockRules, openForNanos, action, port, bind, greeting, writeTimeoutNanos,
        forwardTo, connectTimeoutNanos, maxConnections, commands, sharing);
  }

  /** The same door under another name. */
  public DoorConfig named(String doorName) {
    return new DoorConfig(doorName, rules, openForNanos, action, port, bind, greeting, writeTimeoutNanos,
        forwardTo, connectTimeoutNanos, maxConnections, commands, sharing);
  }

  /** The same door with another time for a granted client of a greet door to read its greeting. */
  public DoorConfig withWriteTimeout(long nanos) {
    return new DoorConfig(name, rules, openForNanos, action, port, bind, greeting, nanos,
        forwardTo, connectTimeoutNanos, maxConnections, commands, sharing);
  }

  /** The same door with another action on another port (0 for none). */
  public DoorConfig withAction(ActionKind kind, int actionPort) {
    return new DoorConfig(name, rules, openForNanos, kind, actionPort, bind, greeting, writeTimeoutNanos,
        forwardTo, connectTimeoutNanos, maxConnections, commands, sharing);
  }

  /** The same door, shared with a fleet or not. */
  public DoorConfig withSharing(Sharing next) {
    return new DoorConfig(name, rules, openForNanos, action, port, bind, greeting, writeTimeoutNanos,
        forwardTo, connectTimeoutNanos, maxConnections, commands, next);
  }

  /** The mission's door: 12001,12002,12003 within 5 s, then a greeting on TCP 2223 for 30 s. */
  public static DoorConfig defaultDoor() {
    return new DoorConfig(DEFAULT_NAME,
        new KnockRules(KnockSequence.DEFAULT, 5_000_000_000L, ScanGuard.DEFAULT_DISTANCE, null),
        DEFAULT_OPEN_FOR_NANOS, ActionKind.GREET, DEFAULT_PORT, null, DEFAULT_GREETING,
        DEFAULT_WRITE_TIMEOUT_NANOS, null, DEFAULT_CONNECT_TIMEOUT_NANOS, DEFAULT_MAX_CONNECTIONS,
        Commands.NONE, Sharing.NONE);
  }
}
