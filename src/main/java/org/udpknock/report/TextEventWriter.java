package org.udpknock.report;

import java.io.PrintWriter;
import java.util.Map;
import org.udpknock.auth.Verdict;
import org.udpknock.core.ResetReason;
import org.udpknock.fleet.GrantStore;

/** One human-readable line per event: {@code TIME knock 127.0.0.1 port 12001 stage 1/3}. */
final class TextEventWriter extends EventWriter {

  TextEventWriter(PrintWriter out) {
    super(out);
  }

  /** {@code TIME EVENT DOOR SOURCE}: the start of every door event's line. */
  private LineBuffer head(String event, String door, long timeNanos, long sourceHi, long sourceLo) {
    LineBuffer line = lineAt(timeNanos).append(' ').append(event).append(' ').append(door).append(' ');
    return appendAddress(line, sourceHi, sourceLo);
  }

  @Override
  protected void knock(String door, int sequenceLength, long timeNanos, long sourceHi, long sourceLo,
      int port, int stage) {
    emit(head("knock", door, timeNanos, sourceHi, sourceLo).append(" port ").append(port)
        .append(" stage ").append(stage).append('/').append(sequenceLength));
  }

  @Override
  protected void granted(String door, long timeNanos, long sourceHi, long sourceLo) {
    emit(head("granted", door, timeNanos, sourceHi, sourceLo));
  }

  @Override
  protected void reset(String door, long timeNanos, long sourceHi, long sourceLo, ResetReason reason) {
    emit(head("reset", door, timeNanos, sourceHi, sourceLo).append(' ').append(reason.label()));
  }

  @Override
  protected void rejected(String door, long timeNanos, long sourceHi, long sourceLo, int port, Verdict reason) {
    emit(head("rejected", door, timeNanos, sourceHi, sourceLo).append(" port ").append(port).append(' ')
        .append(reason.label()));
  }

  @Override
  protected void guardTripped(String door, long timeNanos, long sourceHi, long sourceLo, int port) {
    emit(head("guard", door, timeNanos, sourceHi, sourceLo).append(" port ").append(port));
  }

  @Override
  protected void blocked(String door, long timeNanos, long sourceHi, long sourceLo, int port) {
    emit(head("blocked", door, timeNanos, sourceHi, sourceLo).append(" port ").append(port));
  }

  @Override
  public void doorEvent(String door, String event, long timeNanos, String source, Object... fields) {
    LineBuffer line = lineAt(timeNanos).append(' ').append(event);
    if (door != null) {
      line.append(' ').append(door);
    }
    if (source != null) {
      line.append(' ').append(source);
    }
    for (int i = 0; i + 1 < fields.length; i += 2) {
      line.append(' ').append(String.valueOf(fields[i])).append(' ').append(String.valueOf(fields[i + 1]));
    }
    emit(line);
  }

  /** One line per door ({@code summary DOOR: 3 knocks, 1 granted, ...}), then the capture's. */
  @Override
  public void summary(Totals totals, boolean anyPacket, long lastTimeNanos) {
    for (Totals.DoorTotals door : totals.doors) {
      String evicted = door.grantsEvicted() < 0 ? "" : ", " + door.grantsEvicted() + " grants evicted";
      emit("summary " + door.door() + ": " + door.knocks() + " knocks, " + door.grants() + " granted, "
          + door.guardHits() + " guard hits, " + door.blockedKnocks() + " blocked knocks"
          + rejections(door.rejected(), door.rejectedByReason()) + evicted);
    }
    if (totals.fleet != null) {
      GrantStore.FleetCounts store = totals.fleet.store();
      emit("summary (fleet): " + store.published() + " published, " + store.received() + " received, "
          + totals.fleet.applied() + " applied, " + store.refused() + " refused (" + reasons(store.refusedByReason())
          + "), " + store.dropped() + " dropped");
    }
    String reasons = reasons(totals.skippedByReason);
    String evicted = totals.grantsEvicted < 0 ? "" : ", " + totals.grantsEvicted + " grants evicted";
    String drops = totals.kernelDrops < 0 ? "" : ", " + totals.kernelDrops + " kernel drops";
    String errors = totals.packetErrors < 0 ? "" : ", " + totals.packetErrors + " packet errors";
    String lost = totals.logLinesLost < 0 ? "" : ", " + totals.logLinesLost + " log lines lost";
    emit("summary: " + totals.packets + " packets, " + totals.knocks + " knocks, "
        + totals.grants + " granted, " + totals.guardHits + " guard hits, " + totals.blockedKnocks
        + " blocked knocks, " + totals.skipped + " skipped (" + reasons + ")"
        + rejections(totals.rejected, totals.rejectedByReason)
        + (totals.notForThisHost == 0 ? "" : ", " + totals.notForThisHost + " not for this host") + evicted + drops
        + errors + lost);
  }

  /** {@code truncated 2, not-udp 1}, in the map's order. */
  private static String reasons(Map<String, Long> byReason) {
    StringBuilder reasons = new StringBuilder();
    for (Map.Entry<String, Long> reason : byReason.entrySet()) {
      reasons.append(reasons.length() == 0 ? "" : ", ").append(reason.getKey()).append(' ').append(reason.getValue());
    }
    return reasons.toString();
  }

  /** Authenticated mode only: {@code , 2 rejected (malformed 1, bad-tag 1, ...)}. */
  private static String rejections(long rejected, Map<String, Long> byReason) {
    if (rejected < 0) {
      return "";
    }
    return ", " + rejected + " rejected (" + reasons(byReason) + ")";
  }
}
