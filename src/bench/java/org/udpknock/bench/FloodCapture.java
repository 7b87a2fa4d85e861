package org.udpknock.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.udpknock.core.Addresses;
import org.udpknock.core.KnockEngine;
import org.udpknock.core.KnockListener;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ResetReason;
import org.udpknock.decode.LinkType;
import org.udpknock.pcapfile.PcapWriter;

/**
 * Writes flood captures for the benchmarks: noise from N sources knocking on the sequence ports
 * in random order, with K valid sequences from other sources spread among it, each completed
 * well within the timeout. Beside the capture, {@code FILE.expected} lists the valid sources and
 * the grants an exact per-source model (the engine, fed the same packets) predicts.
 *
 * <p>With {@link Valid#AROUND_NOISE} the valid sources instead send all their knocks but the last
 * before the noise and their last knocks after it: attempts under way while the noise floods the
 * attempt table (issue 9 item 5, eviction by spoofed first knocks).
 *
 * <p>All addresses are in 127.0.0.0/8 (noise from 127.1.0.0 up, valid sources from 127.200.0.0
 * up, destination 127.0.0.1), so replaying the capture onto {@code lo} keeps every reply the
 * kernel sends on loopback.
 */
public final class FloodCapture {
  /** Noise knocks on every sequence port at random, or only first knocks, each from a new source. */
  public enum Noise { RANDOM_PORTS, FIRST_KNOCKS }

  /** Valid sequences spread through the noise, each done in a few packets, or around all of it. */
  public enum Valid { SPREAD, AROUND_NOISE }

  private static final int NOISE_BASE = 0x7F010000; // 127.1.0.0
  private static final int VALID_BASE = 0x7FC80000; // 127.200.0.0
  private static final int DESTINATION = 0x7F000001; // 127.0.0.1
  private static final long SEQUENCE_TIMEOUT_NANOS = 5_000_000_000L;

  private final KnockSequence sequence;
  private final int noiseSources;
  private final int validSequences;
  private final long noisePackets;
  private final long packetsPerSecond;
  private final Noise noise;
  private final Valid valid;
  private final SplittableRandom random;

  public FloodCapture(KnockSequence sequence, int noiseSources, int validSequences, long noisePackets,
      long packetsPerSecond, Noise noise, Valid valid, long seed) {
    if (noiseSources < 1 || noiseSources > 0x00C7_FFFF - 0x0001_0000) {
      throw new IllegalArgumentException("noise sources must be 1 to ~13 million: " + noiseSources);
    }
    if (validSequences < 0 || validSequences > 0x0037_FFFF) {
      throw new IllegalArgumentException("valid sequences must be 0 to ~3.6 million: " + validSequences);
    }
    this.sequence = sequence;
    this.noiseSources = noiseSources;
    this.validSequences = validSequences;
    this.noisePackets = noisePackets;
    this.packetsPerSecond = packetsPerSecond;
    this.noise = noise;
    this.valid = valid;
    this.random = new SplittableRandom(seed);
  }

  /** The schedule: at which packet index each valid source sends each of its knocks. */
  private long[][] validSchedule(long totalPackets) {
    return valid == Valid.AROUND_NOISE ? aroundNoiseSchedule(totalPackets) : spreadSchedule(totalPackets);
  }

  /** All knocks but the last of each valid source first, in turn; the last ones at the very end. */
  private long[][] aroundNoiseSchedule(long totalPackets) {
    int last = sequence.length() - 1;
    long[][] schedule = new long[validSequences][sequence.length()];
    for (int v = 0; v < validSequences; v++) {
      for (int k = 0; k < last; k++) {
        schedule[v][k] = (long) v * last + k;
      }
      schedule[v][last] = totalPackets - validSequences + v;
    }
    return schedule;
  }

  private long[][] spreadSchedule(long totalPackets) {
    // Valid sequences start evenly through the capture; their knocks are `gap` packets apart,
    // so each completes in (length - 1) * gap packets: with gap 50 at 50k pps, 2 ms.
    long gap = 50;
    long span = (sequence.length() - 1) * gap;
    long[][] schedule = new long[validSequences][sequence.length()];
    for (int v = 0; v < validSequences; v++) {
      long start = (totalPackets - span - 1) * v / Math.max(1, validSequences);
      for (int k = 0; k < sequence.length(); k++) {
        schedule[v][k] = start + k * gap;
      }
    }
    return schedule;
  }

  /** Writes the capture and its expectations; returns the expectations. */
  public Expected write(Path capture) throws IOException {
    long totalPackets = noisePackets + (long) validSequences * sequence.length();
    long[][] schedule = validSchedule(totalPackets);
    long[] knockAt = new long[validSequences * sequence.length()];
    int[] knockSource = new int[knockAt.length];
    int[] knockStage = new int[knockAt.length];
    int n = 0;
    for (int v = 0; v < validSequences; v++) {
      for (int k = 0; k < sequence.length(); k++) {
        knockAt[n] = schedule[v][k];
        knockSource[n] = v;
        knockStage[n] = k;
        n++;
      }
    }
    sortByTime(knockAt, knockSource, knockStage);

    Model model = new Model(sequence);
    byte[] frame = frameTemplate();
    long startNanos = 1_795_000_000_000_000_000L;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(capture), 1 << 20)) {
      PcapWriter writer = new PcapWriter(out, LinkType.ETHERNET, false, ByteOrder.LITTLE_ENDIAN, 256);
      int nextValid = 0;
      long noiseWritten = 0;
      for (long index = 0; index < totalPackets; index++) {
        int source;
        int port;
        boolean validDue = nextValid < knockAt.length
            && (knockAt[nextValid] <= index || noiseWritten >= noisePackets);
        if (validDue) {
          source = VALID_BASE + knockSource[nextValid];
          port = sequence.port(knockStage[nextValid]);
          nextValid++;
        } else {
          source = noiseSource(noiseWritten);
          port = noisePort();
          noiseWritten++;
        }
        long time = startNanos + index * 1_000_000_000L / packetsPerSecond;
        fill(frame, source, port, (int) index);
        writer.write(time, frame, 0, frame.length, frame.length);
        model.feed(time, source, port);
      }
      writer.flush();
    }
    Expected expected = new Expected(validSequences, model.validGranted(validSequences),
        model.noiseGrants(), totalPackets);
    writeExpected(capture, expected);
    return expected;
  }

  private int noiseSource(long noiseIndex) {
    return NOISE_BASE + (noise == Noise.FIRST_KNOCKS
        ? (int) (noiseIndex % noiseSources) : random.nextInt(noiseSources));
  }

  private int noisePort() {
    return noise == Noise.FIRST_KNOCKS ? sequence.firstPort() : sequence.port(random.nextInt(sequence.length()));
  }

  /** What the exact per-source model predicts for a capture. */
  public record Expected(int validSequences, int validGranted, long noiseGrants, long packets) {}

  private static void writeExpected(Path capture, Expected expected) throws IOException {
    Path file = capture.resolveSibling(capture.getFileName() + ".expected");
    try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
      out.println("# Expected results of " + capture.getFileName() + ", by an exact per-source model.");
      out.println("packets " + expected.packets());
      out.println("valid_sequences " + expected.validSequences());
      out.println("valid_granted_by_model " + expected.validGranted());
      out.println("noise_grants_by_model " + expected.noiseGrants());
      out.println("valid_sources 127.200.0.0 + 0.." + (expected.validSequences() - 1));
    }
  }

  /** Orders the valid knocks by packet index, keeping each source's knocks in stage order. */
  private static void sortByTime(long[] at, int[] source, int[] stage) {
    Integer[] order = new Integer[at.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> at[a] != at[b] ? Long.compare(at[a], at[b])
        : a.compareTo(b));
    long[] at2 = new long[at.length];
    int[] source2 = new int[at.length];
    int[] stage2 = new int[at.length];
    for (int i = 0; i < order.length; i++) {
      at2[i] = at[order[i]];
      source2[i] = source[order[i]];
      stage2[i] = stage[order[i]];
    }
    System.arraycopy(at2, 0, at, 0, at.length);
    System.arraycopy(source2, 0, source, 0, at.length);
    System.arraycopy(stage2, 0, stage, 0, at.length);
  }

  // ---- Frames: Ethernet (zero MACs, as on lo) + IPv4 + UDP with a 1-byte payload ----

  private static final int IP = 14;
  private static final int UDP = IP + 20;
  private static final int FRAME_LENGTH = UDP + 8 + 1;

  private static byte[] frameTemplate() {
    byte[] frame = new byte[FRAME_LENGTH];
    frame[12] = 0x08; // IPv4
    frame[IP] = 0x45;
    putShort(frame, IP + 2, FRAME_LENGTH - IP);
    frame[IP + 8] = 64;
    frame[IP + 9] = 17;
    putInt(frame, IP + 16, DESTINATION);
    putShort(frame, UDP + 4, 9);
    return frame;
  }

  private static void fill(byte[] frame, int source, int port, int id) {
    putShort(frame, IP + 4, id);
    putInt(frame, IP + 12, source);
    frame[IP + 10] = 0;
    frame[IP + 11] = 0;
    putShort(frame, IP + 10, ipChecksum(frame));
    putShort(frame, UDP, 40000 + (id & 0x3FFF));
    putShort(frame, UDP + 2, port);
    // UDP checksum 0: "none", valid for IPv4.
  }

  private static int ipChecksum(byte[] frame) {
    int sum = 0;
    for (int i = IP; i < IP + 20; i += 2) {
      sum += (frame[i] & 0xFF) << 8 | (frame[i + 1] & 0xFF);
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xFFFF) + (sum >>> 16);
    }
    return ~sum & 0xFFFF;
  }

  private static void putShort(byte[] b, int at, int value) {
    b[at] = (byte) (value >>> 8);
    b[at + 1] = (byte) value;
  }

  private static void putInt(byte[] b, int at, int value) {
    putShort(b, at, value >>> 16);
    putShort(b, at + 2, value);
  }

  /** The exact per-source model: the engine itself, with no cap on sources, counting grants. */
  private static final class Model implements KnockListener {
    private final KnockEngine engine;
    private final java.util.BitSet validGranted = new java.util.BitSet();
    private long noiseGrants;

    Model(KnockSequence sequence) {
      engine = new KnockEngine(sequence, SEQUENCE_TIMEOUT_NANOS, 50_000_000, this);
    }

    void feed(long time, int source, int port) {
      engine.onDatagram(time, 0, Addresses.ipv4Lo(source), port);
    }

    int validGranted(int validSequences) {
      return validGranted.get(0, validSequences).cardinality();
    }

    long noiseGrants() {
      return noiseGrants;
    }

    @Override
    public void knock(long t, long hi, long lo, int port, int stage) {}

    @Override
    public void granted(long t, long hi, long lo) {
      int source = (int) lo;
      if (source >= VALID_BASE) {
        validGranted.set(source - VALID_BASE);
      } else {
        noiseGrants++;
      }
    }

    @Override
    public void reset(long t, long hi, long lo, ResetReason reason) {}
  }
}
