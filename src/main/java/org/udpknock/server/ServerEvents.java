package org.udpknock.server;

import org.udpknock.decode.LinkType;
import org.udpknock.report.EventWriter;
import org.udpknock.report.TimeFormat;

/** The server's own events, stamped with its clock, written with the replay's event schema. */
final class ServerEvents {
  private final EventWriter writer;
  private final Clock clock;

  ServerEvents(EventWriter writer, Clock clock) {
    this.writer = writer;
    this.clock = clock;
  }

  /** An address key as the log prints it, a link-local one with its interface's name. */
  String address(long[] key) {
    return writer.address(key[0], key[1]);
  }

  void started(String interfaceName, String linkType, String filter, String sequence, int servicePort) {
    writer.serverEvent("listening", clock.nowNanos(), null, "interface", interfaceName,
        "link-type", linkType, "filter", filter, "sequence", sequence, "service-port", servicePort);
  }

  void warning(String message) {
    writer.serverEvent("warning", clock.nowNanos(), null, "message", message);
  }

  /** Authenticated mode: knocks stamped before {@code firstStampNanos} are refused as before-start. */
  void refusingUntil(long firstStampNanos) {
    warning("authenticated knocks stamped before " + TimeFormat.format(firstStampNanos, 9)
        + " (the start + --max-ahead) are refused as before-start: they could be copies of knocks"
        + " accepted before this start. A client refused until then knocks again.");
  }

  void listenerOpened(int port) {
    writer.serverEvent("service-open", clock.nowNanos(), null, "port", port);
  }

  void listenerClosed(int port) {
    writer.serverEvent("service-closed", clock.nowNanos(), null, "port", port);
  }

  void listenerFailed(int port, String why) {
    writer.serverEvent("service-error", clock.nowNanos(), null, "port", port, "error", why);
  }

  void grantExpired(String source, long expiredAtNanos) {
    writer.serverEvent("grant-expired", expiredAtNanos, source);
  }

  /** A grant ended before its time, at {@code atNanos}, to make room for a new one (see --max-grants). */
  void grantEvicted(String source, long atNanos) {
    writer.serverEvent("grant-evicted", atNanos, source);
  }

  void connectionServed(String source) {
    writer.serverEvent("served", clock.nowNanos(), source);
  }

  void connectionRefused(String source) {
    writer.serverEvent("refused", clock.nowNanos(), source);
  }

  void connectionError(String why) {
    writer.serverEvent("connection-error", clock.nowNanos(), null, "error", String.valueOf(why));
  }

  void kernelDrops(long newDrops, long totalDrops) {
    writer.serverEvent("pcap-drops", clock.nowNanos(), null, "dropped", newDrops, "total", totalDrops);
  }

  void packetFailed(String why) {
    writer.serverEvent("packet-error", clock.nowNanos(), null, "error", why);
  }

  /** A failure in the timer's work (expiry, statistics, addresses): logged, and the next tick goes on. */
  void timerFailed(String why) {
    writer.serverEvent("timer-error", clock.nowNanos(), null, "error", why);
  }

  /** Flushed at once: before the capture starts, no timer flushes the log. */
  void captureWaiting(String interfaceName, long retryInMillis, String why) {
    writer.serverEvent("capture-waiting", clock.nowNanos(), null, "interface", interfaceName,
        "retry-in-ms", retryInMillis, "error", why);
    writer.flush();
  }

  void captureLost(String interfaceName, String why) {
    writer.serverEvent("capture-lost", clock.nowNanos(), null, "interface", interfaceName, "error", why);
  }

  void captureResumed(String interfaceName, int linkType) {
    writer.serverEvent("capture-resumed", clock.nowNanos(), null, "interface", interfaceName,
        "link-type", LinkType.name(linkType));
  }

  void refusalsSummarized(long suppressed, long refusedInWindow) {
    writer.serverEvent("refused-summary", clock.nowNanos(), null, "not-logged", suppressed,
        "refused", refusedInWindow);
  }

  void greetingTimedOut(String source, long bytesLeft) {
    writer.serverEvent("write-timeout", clock.nowNanos(), source, "bytes-left", bytesLeft);
  }

  void connectionDropped(String source, int inFlight) {
    writer.serverEvent("busy", clock.nowNanos(), source, "greetings-in-flight", inFlight);
  }

  /** The log works again after {@code lost} lines could not be written ({@code totalLost} since the start). */
  void logResumed(long lost, long totalLost) {
    writer.serverEvent("log-resumed", clock.nowNanos(), null, "lost-lines", lost, "total-lost", totalLost);
  }

  /** SIGHUP: reloading the settings is not implemented yet, and the signal must not stop the server. */
  void reloadUnsupported() {
    writer.serverEvent("warning", clock.nowNanos(), null, "message",
        "SIGHUP: reloading the settings is not supported yet; the server goes on as it was started.");
  }

  void captureFailed(String why) {
    writer.serverEvent("capture-error", clock.nowNanos(), null, "error", why);
  }
}
