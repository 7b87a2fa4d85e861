package org.udpknock.pipeline;

import org.udpknock.auth.KnockVerifier;
import org.udpknock.auth.RejectionListener;
import org.udpknock.auth.Verdict;
import org.udpknock.core.KnockEngine;
import org.udpknock.decode.Datagram;
import org.udpknock.decode.DecodeOutcome;
import org.udpknock.decode.FrameDecoder;

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

  /** Decodes one frame and, if it is a UDP datagram for this host, feeds it to the engine. */
  public void onFrame(long timeNanos, int linkType, byte[] data, int offset, int length) {
    frames++;
    lastTimeNanos = timeNanos;
    DecodeOutcome outcome = FrameDecoder.decode(linkType, data, offset, length, datagram);
    outcomeCounts[outcome.ordinal()]++;
    if (outcome != DecodeOutcome.UDP) {
      return;
    }
    if (!destinations.accepts(datagram.destinationHi, datagram.destinationLo)) {
      notForThisHost++;
      return;
    }
    if (verifier != null && engine.sequence().contains(datagram.destinationPort) && !authentic(timeNanos, data)) {
      return;
    }
    engine.onDatagram(timeNanos, datagram.sourceHi, datagram.sourceLo, datagram.destinationPort);
  }

  private boolean authentic(long timeNanos, byte[] data) {
    Verdict verdict = verifier.verify(timeNanos, datagram.destinationPort, data,
        datagram.payloadOffset, datagram.payloadLength, datagram.payloadComplete);
    if (verdict == Verdict.ACCEPTED) {
      return true;
    }
    rejections.rejected(timeNanos, datagram.sourceHi, datagram.sourceLo, datagram.destinationPort, verdict);
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

  /** UDP datagrams dropped because they were addressed to another host. */
  public long notForThisHost() {
    return notForThisHost;
  }

  /** The time of the last frame, for summaries. */
  public long lastTimeNanos() {
    return lastTimeNanos;
  }
}
