package org.udpknock.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.udpknock.core.Addresses;
import org.udpknock.core.KnockEngine;
import org.udpknock.core.KnockListener;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ResetReason;
import org.udpknock.core.ScanGuard;

/**
 * The engine alone on the replay benchmark's noise (issue 11 item 5): N packets from S sources on
 * the default sequence's ports at random, 200k packets/s of capture time, fed to a fresh
 * {@link KnockEngine} (default --max-sources and scan guard) per round, in process, so the JVM's
 * start and the capture's decoding are out of it. Prints the thread's CPU ns/packet per round (CPU
 * time, so that time descheduled on a loaded machine is left out) and the median.
 * Usage: java -cp target/classes:target/bench-classes org.udpknock.bench.EngineBench [PACKETS [SOURCES [ROUNDS]]]
 */
public final class EngineBench {
  private EngineBench() {}

  public static void main(String[] args) {
    long packets = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    int sources = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
    double[] nsPerPacket = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      nsPerPacket[r] = round(packets, sources, r);
      System.out.printf("round %d: %.1f ns/packet (CPU)%n", r + 1, nsPerPacket[r]);
    }
    Arrays.sort(nsPerPacket);
    System.out.printf("median: %.1f ns/packet (%d packets, %d sources, %d rounds)%n",
        nsPerPacket[rounds / 2], packets, sources, rounds);
  }

  private static double round(long packets, int sources, long seed) {
    Counter counter = new Counter();
    KnockSequence sequence = KnockSequence.DEFAULT;
    KnockEngine engine = new KnockEngine(sequence, ScanGuard.of(sequence, ScanGuard.DEFAULT_DISTANCE),
        5_000_000_000L, 1_000_000, counter);
    long state = 0x9E3779B97F4A7C15L ^ seed;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long start = threads.getCurrentThreadCpuTime();
    for (long p = 0; p < packets; p++) {
      state ^= state << 13;
      state ^= state >>> 7;
      state ^= state << 17;
      int source = (int) ((state >>> 1) % sources);
      int port = sequence.port((int) ((state >>> 40) % sequence.length()));
      engine.onDatagram(p * 5_000L, 0, Addresses.ipv4Lo(0x7F010000 + source), port);
    }
    long elapsed = threads.getCurrentThreadCpuTime() - start;
    if (counter.events == 42) {
      System.out.print("");
    }
    return (double) elapsed / packets;
  }

  /** Counts events, so that none is optimised away. */
  private static final class Counter implements KnockListener {
    long events;

    @Override
    public void knock(long timeNanos, long sourceHi, long sourceLo, int port, int stage) {
      events++;
    }

    @Override
    public void granted(long timeNanos, long sourceHi, long sourceLo) {
      events++;
    }

    @Override
    public void reset(long timeNanos, long sourceHi, long sourceLo, ResetReason reason) {
      events++;
    }
  }
}
