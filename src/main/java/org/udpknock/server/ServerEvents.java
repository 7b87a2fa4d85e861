package org.udpknock.server;

import org.udpknock.decode.LinkType;
import org.udpknock.report.EventWriter;
import org.udpknock.report.TimeFormat;

/**
 * The server's own events, stamped with its clock, written with the replay's event schema. A
 * door's view ({@link #forDoor}) names the door in each event: service-open, served, refused,
 * grant-expired, ...
 */
public final class ServerEvents {
  private final EventWriter writer;
  private final Clock clock;
  /** Null for the server's own events. */
  private final String door;

  public ServerEvents(EventWriter writer, Clock clock) {
    this(writer, clock, null);
  }

  private ServerEvents(EventWriter writer, Clock clock, String door) {
    this.writer = writer;
    this.clock = clock;
    this.door = door;
  }

  /** The events of door {@code name}. */
  public ServerEvents forDoor(String name) {
    return new ServerEvents(writer, clock, name);
  }

  /** An address key as the log prints it, a link-local one with its interface's name. */
  public String address(long[] key) {
    return writer.address(key[0], key[1]);
  }

  void started(String interfaceName, String linkType, String filter, String sequence, int servicePort) {
    writer.doorEvent(door, "listening", clock.nowNanos(), null, "interface", interfaceName,
        "link-type", linkType, "filter", filter, "sequence", sequence, "service-port", servicePort);
  }

  /** With several doors: the capture's line; each door has its own {@link #doorReady}. */
  void started(String interfaceName, String linkType, String filter) {
    writer.doorEvent(door, "listening", clock.nowNanos(), null, "interface", interfaceName,
        "link-type", linkType, "filter", filter);
  }

  /** {@code door-ready D sequence 1,2,3 action forward port 2222 forward-to 127.0.0.1:22}; no port for a door without one. */
  void doorReady(org.udpknock.door.DoorConfig config) {
    String sequence = config.rules().sequence().toString();
    String action = config.action().label();
    long now = clock.nowNanos();
    if (config.forwardTo() != null) {
      writer.doorEvent(door, "door-ready", now, null, "sequence", sequence, "action", action, "port", config.port(),
          "forward-to", config.forwardTo());
    } else if (config.port() != 0) {
      writer.doorEvent(door, "door-ready", now, null, "sequence", sequence, "action", action, "port", config.port());
    } else {
      writer.doorEvent(door, "door-ready", now, null, "sequence", sequence, "action", action);
    }
  }

  /** An action threw on the action thread: logged, and the next grant goes on. */
  void actionFailed(String why) {
    writer.doorEvent(door, "action-error", clock.nowNanos(), null, "error", why);
  }

  /** Grants dropped before their action because the action thread fell behind. */
  void actionQueueFull(long droppedTotal) {
    writer.doorEvent(door, "action-queue-full", clock.nowNanos(), null, "dropped", droppedTotal);
  }

  public void warning(String message) {
    writer.doorEvent(door, "warning", clock.nowNanos(), null, "message", message);
  }

  /** Authenticated mode: knocks stamped before {@code firstStampNanos} are refused as before-start. */
  void refusingUntil(long firstStampNanos) {
    warning("authenticated knocks stamped before " + TimeFormat.format(firstStampNanos, 9)
        + " (the start + --max-ahead) are refused as before-start: they could be copies of knocks"
        + " accepted before this start. A client refused until then knocks again.");
  }

  void listenerOpened(int port) {
    writer.doorEvent(door, "service-open", clock.nowNanos(), null, "port", port);
  }

  void listenerClosed(int port) {
    writer.doorEvent(door, "service-closed", clock.nowNanos(), null, "port", port);
  }

  public void listenerFailed(int port, String why) {
    writer.doorEvent(door, "service-error", clock.nowNanos(), null, "port", port, "error", why);
  }

  public void grantExpired(String source, long expiredAtNanos) {
    writer.doorEvent(door, "grant-expired", expiredAtNanos, source);
  }

  /** A grant ended before its time, at {@code atNanos}, to make room for a new one (see --max-grants). */
  public void grantEvicted(String source, long atNanos) {
    writer.doorEvent(door, "grant-evicted", atNanos, source);
  }

  void connectionServed(String source) {
    writer.doorEvent(door, "served", clock.nowNanos(), source);
  }

  void connectionRefused(String source) {
    writer.doorEvent(door, "refused", clock.nowNanos(), source);
  }

  void connectionError(String why) {
    writer.doorEvent(door, "connection-error", clock.nowNanos(), null, "error", String.valueOf(why));
  }

  void kernelDrops(long newDrops, long totalDrops) {
    writer.doorEvent(door, "pcap-drops", clock.nowNanos(), null, "dropped", newDrops, "total", totalDrops);
  }

  void packetFailed(String why) {
    writer.doorEvent(door, "packet-error", clock.nowNanos(), null, "error", why);
  }

  /** A failure in the timer's work (expiry, statistics, addresses): logged, and the next tick goes on. */
  void timerFailed(String why) {
    writer.doorEvent(door, "timer-error", clock.nowNanos(), null, "error", why);
  }

  /** Flushed at once: before the capture starts, no timer flushes the log. */
  void captureWaiting(String interfaceName, long retryInMillis, String why) {
    writer.doorEvent(door, "capture-waiting", clock.nowNanos(), null, "interface", interfaceName,
        "retry-in-ms", retryInMillis, "error", why);
    writer.flush();
  }

  void captureLost(String interfaceName, String why) {
    writer.doorEvent(door, "capture-lost", clock.nowNanos(), null, "interface", interfaceName, "error", why);
  }

  void captureResumed(String interfaceName, int linkType) {
    writer.doorEvent(door, "capture-resumed", clock.nowNanos(), null, "interface", interfaceName,
        "link-type", LinkType.name(linkType));
  }

  void refusalsSummarized(long suppressed, long refusedInWindow) {
    writer.doorEvent(door, "refused-summary", clock.nowNanos(), null, "not-logged", suppressed,
        "refused", refusedInWindow);
  }

  void greetingTimedOut(String source, long bytesLeft) {
    writer.doorEvent(door, "write-timeout", clock.nowNanos(), source, "bytes-left", bytesLeft);
  }

  void connectionDropped(String source, int inFlight) {
    writer.doorEvent(door, "busy", clock.nowNanos(), source, "greetings-in-flight", inFlight);
  }

  /** The log works again after {@code lost} lines could not be written ({@code totalLost} since the start). */
  void logResumed(long lost, long totalLost) {
    writer.doorEvent(door, "log-resumed", clock.nowNanos(), null, "lost-lines", lost, "total-lost", totalLost);
  }

  /** SIGHUP without --config: the command line's door has no file to read again; the server goes on. */
  void nothingToReload() {
    writer.doorEvent(door, "warning", clock.nowNanos(), null, "message",
        "SIGHUP: there is no config file to reload (the server was started without --config); it goes on as it was started.");
  }

  /** {@code reloaded FILE doors 3 kept 2 added 1 removed 1}. */
  void reloaded(String file, int doors, int kept, int added, int removed) {
    writer.doorEvent(door, "reloaded", clock.nowNanos(), null, "file", file, "doors", doors, "kept", kept,
        "added", added, "removed", removed);
  }

  /** One sentence; the server goes on with the doors it had. */
  void reloadFailed(String file, String why) {
    writer.doorEvent(door, "reload-failed", clock.nowNanos(), null, "file", file, "error",
        why + "; the server goes on with the doors it had");
  }

  /** Settings only a restart applies: the reload applied the doors, not these. */
  void reloadNeedsRestart(String file, String settings) {
    writer.doorEvent(door, "warning", clock.nowNanos(), null, "message",
        file + ": " + settings + " changed, which only a restart applies; the reload applied the doors only");
  }

  /** Sharing starts: the store (no password) and the name this host signs with. */
  void grantStoreJoining(String store, String hostName) {
    writer.doorEvent(door, "grant-store", clock.nowNanos(), null, "store", store, "host-name", hostName);
  }

  /** The grant store cannot be reached: hosts grant locally meanwhile. */
  void grantStoreLost(String store, String why) {
    writer.doorEvent(door, "grant-store-lost", clock.nowNanos(), null, "store", store, "error",
        why + "; grants go on locally and are shared once it is back");
  }

  /** The first connection to the store: {@code loaded} live grants read from it. */
  void grantStoreConnected(String store, int loaded) {
    writer.doorEvent(door, "grant-store-connected", clock.nowNanos(), null, "store", store, "loaded", loaded);
  }

  void grantStoreResumed(String store, int loaded, int republished) {
    writer.doorEvent(door, "grant-store-resumed", clock.nowNanos(), null, "store", store, "loaded", loaded,
        "republished", republished);
  }

  /** Another host granted {@code source}: applied here until {@code untilNanos}. */
  void sharedGrant(String source, String host, long untilNanos) {
    writer.doorEvent(door, "shared-grant", clock.nowNanos(), source, "from", host, "until",
        TimeFormat.format(untilNanos, 9));
  }

  /** A grant message refused; {@code notLogged} refusals before it were counted only (a flood of them). */
  void grantMessageRefused(String reason, String detail, long notLogged) {
    writer.doorEvent(door, "grant-message-refused", clock.nowNanos(), null, "reason", reason, "detail", detail,
        "not-logged", notLogged);
  }

  void captureFailed(String why) {
    writer.doorEvent(door, "capture-error", clock.nowNanos(), null, "error", why);
  }
}
