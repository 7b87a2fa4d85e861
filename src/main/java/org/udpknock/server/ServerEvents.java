package org.udpknock.server;

import org.udpknock.report.EventWriter;

/** The server's own events, stamped with its clock, written with the replay's event schema. */
final class ServerEvents {
  private final EventWriter writer;
  private final Clock clock;

  ServerEvents(EventWriter writer, Clock clock) {
    this.writer = writer;
    this.clock = clock;
  }

  void started(String interfaceName, String linkType, String filter, String sequence, int servicePort) {
    writer.serverEvent("listening", clock.nowNanos(), null, "interface", interfaceName,
        "link-type", linkType, "filter", filter, "sequence", sequence, "service-port", servicePort);
  }

  void warning(String message) {
    writer.serverEvent("warning", clock.nowNanos(), null, "message", message);
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

  void captureFailed(String why) {
    writer.serverEvent("capture-error", clock.nowNanos(), null, "error", why);
  }
}
