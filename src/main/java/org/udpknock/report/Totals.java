package org.udpknock.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.udpknock.auth.KnockVerifier;
import org.udpknock.auth.Verdict;
import org.udpknock.decode.DecodeOutcome;
import org.udpknock.door.Door;
import org.udpknock.fleet.GrantStore;
import org.udpknock.pipeline.FramePipeline;

/**
 * The counts a run ends with: printed as the summary of a replay or at server shutdown, for
 * the whole capture (knocks and grants summed over the doors) and for each door.
 */
public final class Totals {
  /** One door's counts. {@code rejected} is -1 for a door in plain mode, {@code grantsEvicted} -1 in replay. */
  public record DoorTotals(String door, long knocks, long grants, long guardHits, long blockedKnocks,
      long rejected, Map<String, Long> rejectedByReason, long grantsEvicted) {}

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
  /** Each door's counts, in the doors' order. */
  public final List<DoorTotals> doors;
  /** The fleet's counts, for a server in one; null otherwise. */
  public final FleetTotals fleet;

  /** A fleet member's counts: what its grant store did, and the other hosts' grants applied here. */
  public record FleetTotals(GrantStore.FleetCounts store, long applied) {}

  private Totals(FramePipeline pipeline, boolean live, long kernelDrops, long packetErrors, long logLinesLost,
      FleetTotals fleet) {
    this.fleet = fleet;
    this.packets = pipeline.frames();
    this.doors = doorTotals(pipeline.doors(), live);
    this.knocks = doors.stream().mapToLong(DoorTotals::knocks).sum();
    this.grants = doors.stream().mapToLong(DoorTotals::grants).sum();
    this.guardHits = doors.stream().mapToLong(DoorTotals::guardHits).sum();
    this.blockedKnocks = doors.stream().mapToLong(DoorTotals::blockedKnocks).sum();
    this.skipped = pipeline.skipped();
    Map<String, Long> reasons = new LinkedHashMap<>();
    for (DecodeOutcome outcome : DecodeOutcome.values()) {
      if (outcome.skipped()) {
        reasons.put(outcome.label(), pipeline.count(outcome));
      }
    }
    this.skippedByReason = Collections.unmodifiableMap(reasons);
    boolean anyAuthenticated = doors.stream().anyMatch(door -> door.rejected() >= 0);
    Map<String, Long> refusals = new LinkedHashMap<>();
    doors.forEach(door -> door.rejectedByReason().forEach((reason, count) -> refusals.merge(reason, count, Long::sum)));
    this.rejected = anyAuthenticated ? doors.stream().mapToLong(door -> Math.max(0, door.rejected())).sum() : -1;
    this.rejectedByReason = Collections.unmodifiableMap(refusals);
    this.kernelDrops = kernelDrops;
    this.grantsEvicted = live ? doors.stream().mapToLong(DoorTotals::grantsEvicted).sum() : -1;
    this.notForThisHost = pipeline.notForThisHost();
    this.packetErrors = packetErrors;
    this.logLinesLost = logLinesLost;
  }

  public static Totals ofReplay(FramePipeline pipeline) {
    return new Totals(pipeline, false, -1, -1, -1, null);
  }

  /**
   * A live capture's: with its kernel drops, grant evictions, packet errors and lost log lines, and
   * the fleet's counts ({@code fleet} null for a host in none).
   */
  public static Totals ofCapture(FramePipeline pipeline, long kernelDrops, long packetErrors, long logLinesLost,
      FleetTotals fleet) {
    return new Totals(pipeline, true, kernelDrops, packetErrors, logLinesLost, fleet);
  }

  private static List<DoorTotals> doorTotals(List<Door> doors, boolean live) {
    List<DoorTotals> totals = new ArrayList<>();
    for (Door door : doors) {
      KnockVerifier verifier = door.verifier();
      totals.add(new DoorTotals(door.name(), door.engine().knocks(), door.engine().grants(),
          door.engine().guardHits(), door.engine().blockedKnocks(), verifier == null ? -1 : verifier.rejected(),
          rejectionsOf(verifier), live ? door.grants().evicted() : -1));
    }
    return List.copyOf(totals);
  }

  /** Refusals by reason in a stable order; empty in plain mode. */
  private static Map<String, Long> rejectionsOf(KnockVerifier verifier) {
    Map<String, Long> refusals = new LinkedHashMap<>();
    if (verifier != null) {
      for (Verdict verdict : Verdict.values()) {
        if (verdict != Verdict.ACCEPTED) {
          refusals.put(verdict.label(), verifier.count(verdict));
        }
      }
    }
    return Collections.unmodifiableMap(refusals);
  }
}
