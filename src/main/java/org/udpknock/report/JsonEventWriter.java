package org.udpknock.report;

import java.io.PrintWriter;
import java.util.Map;
import org.udpknock.auth.Verdict;
import org.udpknock.core.ResetReason;
import org.udpknock.fleet.GrantStore;

/**
 * One JSON object per line. Every event has {@code event}, {@code time} and {@code source};
 * values are numbers or strings that need no escaping except where noted.
 */
final class JsonEventWriter extends EventWriter {

  JsonEventWriter(PrintWriter out) {
    super(out);
  }

  private String head(String event, String door, long timeNanos, long sourceHi, long sourceLo) {
    return "{\"event\":\"" + event + "\",\"time\":\"" + time(timeNanos) + "\",\"door\":" + quote(door)
        + ",\"source\":\"" + address(sourceHi, sourceLo) + "\"";
  }

  @Override
  protected void knock(String door, int sequenceLength, long timeNanos, long sourceHi, long sourceLo,
      int port, int stage) {
    emit(head("knock", door, timeNanos, sourceHi, sourceLo) + ",\"port\":" + port + ",\"stage\":"
        + stage + "}");
  }

  @Override
  protected void granted(String door, long timeNanos, long sourceHi, long sourceLo) {
    emit(head("granted", door, timeNanos, sourceHi, sourceLo) + "}");
  }

  @Override
  protected void reset(String door, long timeNanos, long sourceHi, long sourceLo, ResetReason reason) {
    emit(head("reset", door, timeNanos, sourceHi, sourceLo) + ",\"reason\":\"" + reason.label()
        + "\"}");
  }

  @Override
  protected void rejected(String door, long timeNanos, long sourceHi, long sourceLo, int port, Verdict reason) {
    emit(head("rejected", door, timeNanos, sourceHi, sourceLo) + ",\"port\":" + port + ",\"reason\":\""
        + reason.label() + "\"}");
  }

  @Override
  protected void guardTripped(String door, long timeNanos, long sourceHi, long sourceLo, int port) {
    emit(head("guard", door, timeNanos, sourceHi, sourceLo) + ",\"port\":" + port + "}");
  }

  @Override
  protected void blocked(String door, long timeNanos, long sourceHi, long sourceLo, int port) {
    emit(head("blocked", door, timeNanos, sourceHi, sourceLo) + ",\"port\":" + port + "}");
  }

  @Override
  public void doorEvent(String door, String event, long timeNanos, String source, Object... fields) {
    StringBuilder line = new StringBuilder("{\"event\":").append(quote(event))
        .append(",\"time\":\"").append(time(timeNanos)).append('"');
    if (door != null) {
      line.append(",\"door\":").append(quote(door));
    }
    if (source != null) {
      line.append(",\"source\":").append(quote(source));
    }
    for (int i = 0; i + 1 < fields.length; i += 2) {
      Object value = fields[i + 1];
      line.append(',').append(quote(String.valueOf(fields[i]).replace('-', '_'))).append(':')
          .append(value instanceof Number ? value.toString() : quote(String.valueOf(value)));
    }
    emit(line.append('}').toString());
  }

  @Override
  public void summary(Totals totals, boolean anyPacket, long lastTimeNanos) {
    String time = anyPacket ? "\"" + time(lastTimeNanos) + "\"" : "null";
    String evicted = totals.grantsEvicted < 0 ? "" : ",\"grants_evicted\":" + totals.grantsEvicted;
    String drops = totals.kernelDrops < 0 ? "" : ",\"kernel_drops\":" + totals.kernelDrops;
    String errors = totals.packetErrors < 0 ? "" : ",\"packet_errors\":" + totals.packetErrors;
    String lost = totals.logLinesLost < 0 ? "" : ",\"log_lines_lost\":" + totals.logLinesLost;
    emit("{\"event\":\"summary\",\"time\":" + time + ",\"packets\":" + totals.packets
        + ",\"knocks\":" + totals.knocks + ",\"grants\":" + totals.grants + ",\"guard_hits\":" + totals.guardHits
        + ",\"blocked_knocks\":" + totals.blockedKnocks + ",\"skipped\":"
        + totals.skipped + ",\"skipped_by_reason\":{" + reasons(totals.skippedByReason) + "}"
        + rejections(totals.rejected, totals.rejectedByReason)
        + (totals.notForThisHost == 0 ? "" : ",\"not_for_this_host\":" + totals.notForThisHost) + evicted + drops + errors
        + lost + fleet(totals.fleet) + ",\"doors\":[" + doors(totals) + "]}");
  }

  /** {@code ,"fleet":{"published":3,...,"refused_by_reason":{"bad-signature":1}}}, for a fleet member only. */
  private static String fleet(Totals.FleetTotals fleet) {
    if (fleet == null) {
      return "";
    }
    GrantStore.FleetCounts store = fleet.store();
    return ",\"fleet\":{\"published\":" + store.published() + ",\"received\":" + store.received() + ",\"applied\":"
        + fleet.applied() + ",\"refused\":" + store.refused() + ",\"refused_by_reason\":{" + reasons(store.refusedByReason())
        + "},\"dropped\":" + store.dropped() + "}";
  }

  /** {@code {"door":"default","knocks":3,"grants":1,...}} per door. */
  private static String doors(Totals totals) {
    StringBuilder doors = new StringBuilder();
    for (Totals.DoorTotals door : totals.doors) {
      String evicted = door.grantsEvicted() < 0 ? "" : ",\"grants_evicted\":" + door.grantsEvicted();
      doors.append(doors.length() == 0 ? "" : ",").append("{\"door\":").append(quote(door.door()))
          .append(",\"knocks\":").append(door.knocks()).append(",\"grants\":").append(door.grants())
          .append(",\"guard_hits\":").append(door.guardHits()).append(",\"blocked_knocks\":")
          .append(door.blockedKnocks()).append(rejections(door.rejected(), door.rejectedByReason()))
          .append(evicted).append('}');
    }
    return doors.toString();
  }

  /** Authenticated mode only: {@code "rejected":2,"rejected_by_reason":{"malformed":1,...}}. */
  private static String rejections(long rejected, Map<String, Long> byReason) {
    if (rejected < 0) {
      return "";
    }
    return ",\"rejected\":" + rejected + ",\"rejected_by_reason\":{" + reasons(byReason) + "}";
  }

  /** {@code "truncated":2,"not-udp":1}, in the map's order; the reasons are the code's own words. */
  private static String reasons(Map<String, Long> byReason) {
    StringBuilder reasons = new StringBuilder();
    for (Map.Entry<String, Long> reason : byReason.entrySet()) {
      reasons.append(reasons.length() == 0 ? "" : ",").append('"').append(reason.getKey())
          .append("\":").append(reason.getValue());
    }
    return reasons.toString();
  }

  /** Quotes a string for JSON, for the server's free-text fields. */
  static String quote(String text) {
    StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"': quoted.append("\\\""); break;
        case '\\': quoted.append("\\\\"); break;
        case '\n': quoted.append("\\n"); break;
        case '\r': quoted.append("\\r"); break;
        case '\t': quoted.append("\\t"); break;
        default:
          if (c < 0x20) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
      }
    }
    return quoted.append('"').toString();
  }
}
