package org.udpknock.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import jdk.internal.vm.annotation.Contended;
import org.udpknock.core.Addresses;
import org.udpknock.core.OpaqueField;
import org.udpknock.decode.Datagram;
import org.udpknock.decode.DecodeOutcome;
import org.udpknock.decode.FrameDecoder;
import org.udpknock.decode.LinkKind;
import org.udpknock.door.Door;
import org.udpknock.door.DoorConfig;
import org.udpknock.door.DoorSet;
import org.udpknock.door.DoorWiring;
import org.udpknock.report.EventWriter;

/**
 * Frames in, knocks out: decodes each captured frame once, checks it against the host's rules
 * once, and hands its UDP datagram to every door whose sequence or guard covers its port
 * ({@link DoorSet#at}); each door judges it with its own verifier and engine. The live server
 * and the replay of a file feed frames the same way. One thread feeds it.
 */
// Padded from its neighbours in memory (false sharing): written at every frame by
// the thread that reads a capture; see BatchedReplay.
@Contended
public final class FramePipeline {
  private static final DecodeOutcome[] OUTCOMES = DecodeOutcome.values();
  /*
   * The counts are written by the one thread that feeds the pipeline and read by any (metrics,
   * at scrape time): in opaque mode, so that a read gets a whole long, at most a moment stale.
   * An opaque write is the plain store on x86 and ARM: no fence, no lock, nothing shared.
   */
  private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle FRAMES = OpaqueField.of(MethodHandles.lookup(), "frames", long.class);
  private static final VarHandle NOT_FOR_THIS_HOST =
      OpaqueField.of(MethodHandles.lookup(), "notForThisHost", long.class);

  /** Volatile: a reload swaps the set; the capture thread reads it once per frame. */
  private volatile DoorSet doors;
  private final DestinationFilter destinations;
  private final Datagram datagram = new Datagram();
  /**
   * Longs on either side of the outcome counts in their array: an array cannot be padded as the
   * class is (Contended), and the counts are written at every frame.
   */
  private static final int COUNTS_PAD = 16;
  private final long[] outcomeCounts = new long[COUNTS_PAD + OUTCOMES.length + COUNTS_PAD];
  private long sourceHi;
  private long frames;
  private long notForThisHost;
  private long lastTimeNanos;

  public FramePipeline(DoorSet doors, DestinationFilter destinations) {
    this.doors = doors;
    this.destinations = destinations;
  }

  /**
   * The one wiring of the server and of replay: {@code doors}, each new and empty, writing
   * through their views of {@code writer}, fed what {@code destinations} accepts.
   */
  public static FramePipeline of(List<DoorConfig> doors, EventWriter writer, DoorWiring wiring,
      DestinationFilter destinations) {
    return new FramePipeline(DoorSet.open(doors, writer, wiring), destinations);
  }

  /** As {@link #onFrame(long, int, Ingress, byte[], int, int)} from an interface nothing is known of. */
  public void onFrame(long timeNanos, int linkType, byte[] data, int offset, int length) {
    onFrame(timeNanos, linkType, Ingress.UNKNOWN, data, offset, length);
  }

  /**
   * Decodes one frame that came in on {@code ingress} and, if it is a UDP datagram this host
   * would accept ({@link HostRules}, VLANs and destinations as {@link DestinationFilter} says),
   * feeds it to the doors that watch its port. Link-local addresses are keyed with their
   * interface index.
   */
  public void onFrame(long timeNanos, int linkType, Ingress ingress, byte[] data, int offset, int length) {
    if (accept(timeNanos, linkType, ingress, data, offset, length)) {
      deliver(timeNanos, sourceHi, datagram.sourceLo, datagram.destinationPort, data, datagram.payloadOffset,
          datagram.payloadLength, datagram.payloadComplete);
    }
  }

  /**
   * The first half of {@link #onFrame}: decodes and counts the frame, and returns true if its
   * datagram, then in {@link #datagram()} with its keyed source in {@link #sourceHi()}, goes on
   * to {@link #deliver}. The halves may run on two threads (replay), one frame after the other
   * in the same order on each: the doors then see what {@code onFrame} would show them.
   */
  public boolean accept(long timeNanos, int linkType, Ingress ingress, byte[] data, int offset, int length) {
    FRAMES.setOpaque(this, frames + 1);
    lastTimeNanos = timeNanos;
    DecodeOutcome outcome = FrameDecoder.decode(linkType, data, offset, length, datagram);
    int index = COUNTS_PAD + outcome.ordinal();
    COUNT.setOpaque(outcomeCounts, index, outcomeCounts[index] + 1);
    if (outcome != DecodeOutcome.UDP) {
      return false;
    }
    int interfaceIndex = datagram.interfaceIndex != 0 ? datagram.interfaceIndex : ingress.index();
    long destinationHi = Addresses.scopedHi(datagram.destinationHi, interfaceIndex);
    if (!hostAccepts(ingress) || !destinations.accepts(destinationHi, datagram.destinationLo)) {
      NOT_FOR_THIS_HOST.setOpaque(this, notForThisHost + 1);
      return false;
    }
    sourceHi = Addresses.scopedHi(datagram.sourceHi, interfaceIndex);
    return doors.at(datagram.destinationPort).length > 0;
  }

  /** The second half of {@link #onFrame}: one accepted datagram to the doors that watch its port. */
  public void deliver(long timeNanos, long sourceHi, long sourceLo, int port, byte[] data, int payloadOffset,
      int payloadLength, boolean payloadComplete) {
    deliver(doors, timeNanos, sourceHi, sourceLo, port, data, payloadOffset, payloadLength, payloadComplete);
  }

  /**
   * As {@link #deliver(long, long, long, int, byte[], int, int, boolean)}, to {@code doors} read
   * once by the caller ({@link #doorSet}) for many datagrams: this pipeline's fields share a cache
   * line that the reading thread writes at every frame ({@link #accept}), so the delivering
   * thread of a replay on two threads, reading it at every datagram, took a miss each time.
   */
  public static void deliver(DoorSet doors, long timeNanos, long sourceHi, long sourceLo, int port, byte[] data,
      int payloadOffset, int payloadLength, boolean payloadComplete) {
    for (Door door : doors.at(port)) {
      door.onDatagram(timeNanos, sourceHi, sourceLo, port, data, payloadOffset, payloadLength, payloadComplete);
    }
  }

  /** The datagram {@link #accept} decoded last; reused by the next frame. */
  public Datagram datagram() {
    return datagram;
  }

  /** The source of the datagram {@link #accept} decoded last, as the doors key it (link-local: scoped). */
  public long sourceHi() {
    return sourceHi;
  }

  /** The kernel's rules on addresses, and a tagged frame only through a VLAN interface of the host. */
  private boolean hostAccepts(Ingress ingress) {
    LinkKind kind = datagram.linkKind != LinkKind.UNKNOWN ? datagram.linkKind : ingress.kind();
    return HostRules.accepts(datagram, kind) && (datagram.vlanCount == 0
        || destinations.acceptsVlans(ingress.name(), datagram.vlanIds, datagram.vlanCount));
  }

  /** The doors frames go to now. */
  public DoorSet doorSet() {
    return doors;
  }

  public List<Door> doors() {
    return doors.doors();
  }

  /** Swaps the doors in (a reload): the next frame goes to them. Safe from any thread. */
  public void replaceDoors(DoorSet next) {
    doors = next;
  }

  /** Frames read; this and the other counts may be read from any thread, a moment stale. */
  public long frames() {
    return (long) FRAMES.getOpaque(this);
  }

  /** Frames that could not be decoded, all reasons together. */
  public long skipped() {
    long total = 0;
    for (DecodeOutcome outcome : OUTCOMES) {
      total += outcome.skipped() ? count(outcome) : 0;
    }
    return total;
  }

  public long count(DecodeOutcome outcome) {
    return (long) COUNT.getOpaque(outcomeCounts, COUNTS_PAD + outcome.ordinal());
  }

  /**
   * UDP datagrams dropped because this host would not accept them: addressed to another host,
   * with addresses the kernel drops ({@link HostRules}), or tagged for a VLAN it does not have.
   */
  public long notForThisHost() {
    return (long) NOT_FOR_THIS_HOST.getOpaque(this);
  }

  /** The time of the last frame, for summaries. */
  public long lastTimeNanos() {
    return lastTimeNanos;
  }
}
