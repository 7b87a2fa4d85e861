package org.udpknock.pipeline;

import org.udpknock.auth.KnockVerifier;
import org.udpknock.auth.RejectionListener;
import org.udpknock.auth.Verdict;
import org.udpknock.core.Addresses;
import org.udpknock.core.KnockEngine;
import org.udpknock.decode.Datagram;
import org.udpknock.decode.DecodeOutcome;
import org.udpknock.decode.FrameDecoder;
import org.udpknock.decode.LinkKind;

/**
 * Frames in, knocks out: decodes each captured frame and hands its UDP datagram to the engine.
 * The live server and the replay of a file feed frames the same way. One thread feeds it.
 *
 * <p>In authenticated mode a {@link KnockVerifier} judges every datagram to a sequence port
 * first; only accepted knocks reach the engine, so refused ones touch no engine state.
 */
public final class FramePipeline {
  private static final DecodeOutcome[] OUTCOMES = DecodeOutcome.values();

  private final KnockEngine engine;
  private final DestinationFilter destinations;
  private final KnockVerifier verifier;
  private final RejectionListener rejections;
  private final Datagram datagram = new Datagram();
  private final long[] outcomeCounts = new long[OUTCOMES.length];
  private long frames;
  private long notForThisHost;
  private long lastTimeNanos;

  public FramePipeline(KnockEngine engine, DestinationFilter destinations) {
    this(engine, destinations, null, RejectionListener.NONE);
  }

  /** Authenticated mode when {@code verifier} is not null; refusals go to {@code rejections}. */
  public FramePipeline(KnockEngine engine, DestinationFilter destinations, KnockVerifier verifier,
      RejectionListener rejections) {
    this.engine = engine;
    this.destinations = destinations;
    this.verifier = verifier;
    this.rejections = rejections;
  }

  /** As {@link #onFrame(long, int, Ingress, byte[], int, int)} from an interface nothing is known of. */
  public void onFrame(long timeNanos, int linkType, byte[] data, int offset, int length) {
    onFrame(timeNanos, linkType, Ingress.UNKNOWN, data, offset, length);
  }

  /**
   * Decodes one frame that came in on {@code ingress} and, if it is a UDP datagram this host
   * would accept ({@link HostRules}, VLANs and destinations as {@link DestinationFilter} says),
   * feeds it to the engine. Link-local addresses are keyed with their interface index.
   */
  public void onFrame(long timeNanos, int linkType, Ingress ingress, byte[] data, int offset, int length) {
    frames++;
    lastTimeNanos = timeNanos;
    DecodeOutcome outcome = FrameDecoder.decode(linkType, data, offset, length, datagram);
    outcomeCounts[outcome.ordinal()]++;
    if (outcome != DecodeOutcome.UDP) {
      return;
    }
    int interfaceIndex = datagram.interfaceIndex != 0 ? datagram.interfaceIndex : ingress.index();
    long destinationHi = Addresses.scopedHi(datagram.destinationHi, interfaceIndex);
    if (!hostAccepts(ingress) || !destinations.accepts(destinationHi, datagram.destinationLo)) {
      notForThisHost++;
      return;
    }
    long sourceHi = Addresses.scopedHi(datagram.sourceHi, interfaceIndex);
    if (verifier != null && engine.sequence().contains(datagram.destinationPort)
        && !authentic(timeNanos, sourceHi, data)) {
      return;
    }
    engine.onDatagram(timeNanos, sourceHi, datagram.sourceLo, datagram.destinationPort);
  }

  /** The kernel's rules on addresses, and a tagged frame only through a VLAN interface of the host. */
  private boolean hostAccepts(Ingress ingress) {
    LinkKind kind = datagram.linkKind != LinkKind.UNKNOWN ? datagram.linkKind : ingress.kind();
    return HostRules.accepts(datagram, kind) && (datagram.vlanCount == 0
        || destinations.acceptsVlans(ingress.name(), datagram.vlanIds, datagram.vlanCount));
  }

  private boolean authentic(long timeNanos, long sourceHi, byte[] data) {
    Verdict verdict = verifier.verify(timeNanos, datagram.destinationPort, data,
        datagram.payloadOffset, datagram.payloadLength, datagram.payloadComplete);
    if (verdict == Verdict.ACCEPTED) {
      return true;
    }
    rejections.rejected(timeNanos, sourceHi, datagram.sourceLo, datagram.destinationPort, verdict);
    return false;
  }

  /** The verifier of authenticated mode, or null in plain mode. */
  public KnockVerifier verifier() {
    return verifier;
  }

  public KnockEngine engine() {
    return engine;
  }

  public long frames() {
    return frames;
  }

  /** Frames that could not be decoded, all reasons together. */
  public long skipped() {
    long total = 0;
    for (DecodeOutcome outcome : OUTCOMES) {
      total += outcome.skipped() ? outcomeCounts[outcome.ordinal()] : 0;
    }
    return total;
  }

  public long count(DecodeOutcome outcome) {
    return outcomeCounts[outcome.ordinal()];
  }

  /**
   * UDP datagrams dropped because this host would not accept them: addressed to another host,
   * with addresses the kernel drops ({@link HostRules}), or tagged for a VLAN it does not have.
   */
  public long notForThisHost() {
    return notForThisHost;
  }

  /** The time of the last frame, for summaries. */
  public long lastTimeNanos() {
    return lastTimeNanos;
  }
}
