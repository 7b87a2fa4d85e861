package org.udpknock.report;

import java.util.LinkedHashMap;
import java.util.Map;
import org.udpknock.auth.KnockVerifier;
import org.udpknock.auth.Verdict;
import org.udpknock.decode.DecodeOutcome;
import org.udpknock.pipeline.FramePipeline;

/** The counts a run ends with: printed as the summary line of a replay or at server shutdown. */
public final class Totals {
  public final long packets;
  public final long knocks;
  public final long grants;
  /** Datagrams to the scan guard's ports; not knocks. */
  public final long guardHits;
  /** First-port knocks ignored because the scan guard had blocked their source. */
  public final long blockedKnocks;
  public final long skipped;
  /** Skipped frames by reason, e.g. {@code truncated -> 2}, in a stable order. */
  public final Map<String, Long> skippedByReason;
  /** Knock datagrams refused by authentication; -1 in plain mode. */
  public final long rejected;
  /** Refusals by reason, e.g. {@code bad-tag -> 1}, in a stable order; empty in plain mode. */
  public final Map<String, Long> rejectedByReason;
  /**
   * UDP datagrams this host would not accept (another host's destination, addresses the kernel
   * drops, a VLAN it does not have): printed when not zero.
   */
  public final long notForThisHost;
  /** Kernel drops, for live captures; -1 when not applicable (replay). */
  public final long kernelDrops;
  /** Grants evicted before their end to make room, for the server; -1 when not applicable (replay). */
  public final long grantsEvicted;
  /** Frames whose handling threw (each logged as packet-error), for live captures; -1 for replay. */
  public final long packetErrors;
  /** Log lines that could not be written (a full disk, a reader gone), for live captures; -1 for replay. */
  public final long logLinesLost;

  private Totals(FramePipeline pipeline, long kernelDrops, long grantsEvicted, long packetErrors,
      long logLinesLost) {
    this.packets = pipeline.frames();
    this.knocks = pipeline.engine().knocks();
    this.grants = pipeline.engine().grants();
    this.guardHits = pipeline.engine().guardHits();
    this.blockedKnocks = pipeline.engine().blockedKnocks();
    this.skipped = pipeline.skipped();
    Map<String, Long> reasons = new LinkedHashMap<>();
    for (DecodeOutcome outcome : DecodeOutcome.values()) {
      if (outcome.skipped()) {
        reasons.put(outcome.label(), pipeline.count(outcome));
      }
    }
    this.skippedByReason = java.util.Collections.unmodifiableMap(reasons);
    KnockVerifier verifier = pipeline.verifier();
    Map<String, Long> refusals = new LinkedHashMap<>();
    if (verifier != null) {
      for (Verdict verdict : Verdict.values()) {
        if (verdict != Verdict.ACCEPTED) {
          refusals.put(verdict.label(), verifier.count(verdict));
        }
      }
    }
    this.rejected = verifier == null ? -1 : verifier.rejected();
    this.rejectedByReason = java.util.Collections.unmodifiableMap(refusals);
    this.kernelDrops = kernelDrops;
    this.grantsEvicted = grantsEvicted;
    this.notForThisHost = pipeline.notForThisHost();
    this.packetErrors = packetErrors;
    this.logLinesLost = logLinesLost;
  }

  public static Totals ofReplay(FramePipeline pipeline) {
    return new Totals(pipeline, -1, -1, -1, -1);
  }

  public static Totals ofCapture(FramePipeline pipeline, long kernelDrops, long grantsEvicted,
      long packetErrors, long logLinesLost) {
    return new Totals(pipeline, kernelDrops, grantsEvicted, packetErrors, logLinesLost);
  }
}
