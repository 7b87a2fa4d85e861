package org.udpknock.core;

import java.util.ArrayList;
import java.util.List;

/**
 * The ports around a sequence that no knocker needs: a datagram to one of them marks its source
 * as a scanner. Ports outside the capture filter never reach the engine, so without a guard an
 * ascending sweep ({@code hping3 --udp -p ++11000}) walks through 12001, 12002, 12003 and
 * completes the default sequence.
 *
 * <p>Guard ports: every port 1-65535 that is not a sequence port and is within {@code distance}
 * of the lowest or of the highest sequence port. Both ends are guarded on both sides, so a sweep
 * that starts exactly on the first port of a non-contiguous sequence is caught between its ports.
 *
 * <p>A guard hit always drops the source's attempt. It also blocks the source (a first-port
 * knock within the sequence timeout after its last hit is ignored) only where that buys
 * something: where a one-direction sweep could run from the first port to the last without
 * touching a guard port in between, as for the default 12001,12002,12003 (see {@link #blocks}).
 * For any other sequence a sweep is caught between two of its ports, and the drop alone defeats
 * it; there a block would only hand a spoofer a way to lock a victim out, so there is none.
 */
public final class ScanGuard {
  public static final int DEFAULT_DISTANCE = 100;
  /**
   * Beyond this, the guard band reaches well into ports that ordinary UDP services use (DNS
   * replies, mDNS, VPNs): their senders would be blocked and their traffic sniffed for nothing.
   */
  public static final int MAX_DISTANCE = 1000;

  private final KnockSequence sequence;
  private final int distance;
  private final int lowest;
  private final int highest;
  private final boolean blocks;

  private ScanGuard(KnockSequence sequence, int distance) {
    this.sequence = sequence;
    this.distance = distance;
    this.lowest = sequence.lowestPort();
    this.highest = sequence.highestPort();
    this.blocks = distance > 0 && sweepPassesUnguarded(sequence);
  }

  /** A guard of {@code distance} ports around {@code sequence}; 0 turns it off. */
  public static ScanGuard of(KnockSequence sequence, int distance) {
    if (distance < 0 || distance > MAX_DISTANCE) {
      throw new IllegalArgumentException("guard distance out of range 0-" + MAX_DISTANCE + ": " + distance);
    }
    return new ScanGuard(sequence, distance);
  }

  public static ScanGuard off(KnockSequence sequence) {
    return of(sequence, 0);
  }

  public int distance() {
    return distance;
  }

  public boolean isOff() {
    return distance == 0;
  }

  /**
   * Whether a guard hit also blocks its source for the sequence timeout: only when a sweep in one
   * direction, from the first port, could reach every sequence port in order without touching a
   * guard port between the lowest and the highest.
   */
  public boolean blocks() {
    return blocks;
  }

  /**
   * True for a one-port sequence, or one whose ports strictly ascend (or descend) with no guard
   * port between the lowest and the highest. Any other order a one-direction sweep cannot follow.
   */
  private boolean sweepPassesUnguarded(KnockSequence sequence) {
    if (sequence.length() == 1) {
      return true;
    }
    int direction = Integer.signum(sequence.port(1) - sequence.port(0));
    for (int i = 1; i < sequence.length(); i++) {
      if (direction == 0 || Integer.signum(sequence.port(i) - sequence.port(i - 1)) != direction) {
        return false;
      }
    }
    for (int port = lowest + 1; port < highest; port++) { // At most 2 x MAX_DISTANCE covered ports.
      if (covers(port)) {
        return false;
      }
      if (port == lowest + distance && highest - distance > port) {
        port = highest - distance - 1; // Skip the middle: no port there is within the distance.
      }
    }
    return true;
  }

  /** Whether a datagram to {@code port} is a guard hit. O(1): it runs on every packet. */
  public boolean covers(int port) {
    if (distance == 0 || port < 1 || port > 65535 || sequence.contains(port)) {
      return false;
    }
    return Math.abs(port - lowest) <= distance || Math.abs(port - highest) <= distance;
  }

  /**
   * The sequence ports and the guard ports together, as sorted, merged, inclusive ranges
   * {@code {from, to}}: what a capture filter must pass.
   */
  public List<int[]> watchedPortRanges() {
    List<int[]> ranges = new ArrayList<>();
    for (int port : sequence.ports()) {
      ranges.add(new int[] {port, port});
    }
    if (distance > 0) {
      ranges.add(clampedAround(lowest));
      ranges.add(clampedAround(highest));
    }
    return PortRanges.merged(ranges);
  }

  private int[] clampedAround(int port) {
    return new int[] {Math.max(1, port - distance), Math.min(65535, port + distance)};
  }

  /**
   * True when a sweep in one direction that starts on the first port completes the sequence
   * before it touches a guard port: a one-port sequence, or ports that each follow the previous
   * one by +1 (or each by -1), like the default 12001,12002,12003.
   */
  public static boolean sweepCompletes(KnockSequence sequence) {
    if (sequence.length() == 1) {
      return true;
    }
    int step = sequence.port(1) - sequence.port(0);
    if (step != 1 && step != -1) {
      return false;
    }
    for (int i = 2; i < sequence.length(); i++) {
      if (sequence.port(i) - sequence.port(i - 1) != step) {
        return false;
      }
    }
    return true;
  }
}
