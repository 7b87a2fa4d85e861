package org.udpknock.action;

import org.udpknock.core.Addresses;
import org.udpknock.report.EventWriter;
import org.udpknock.server.Clock;

/**
 * What a forward door reports. {@link #NONE} ignores everything; {@link #writingTo} writes the
 * door's event lines ({@code forward-open DOOR SOURCE backend HOST:PORT}, ...).
 */
public interface ForwardEvents {
  ForwardEvents NONE = new ForwardEvents() {};

  /** A source key as the log prints it. */
  default String address(long hi, long lo) {
    return Addresses.format(hi, lo);
  }

  default void portOpened(int port) {}

  default void portClosed(int port) {}

  default void portFailed(int port, String why) {}

  default void relayOpened(String source, String backend) {}

  default void relayClosed(String source, long bytesIn, long bytesOut, String error) {}

  default void relayFailed(String source, String backend, String reason) {}

  default void busy(String source, int relays) {}

  default void refused(String source) {}

  default void refusalsSummarized(long notLogged, long refused) {}

  default void error(String why) {}

  /** The event lines of door {@code door}, stamped with {@code clock}. */
  static ForwardEvents writingTo(EventWriter writer, String door, Clock clock) {
    return new EventLines(writer, door, clock);
  }

  /** Events as lines of the server's log, each naming the door, in its text or JSON schema. */
  final class EventLines implements ForwardEvents {
    private final EventWriter writer;
    private final String door;
    private final Clock clock;

    EventLines(EventWriter writer, String door, Clock clock) {
      this.writer = writer;
      this.door = door;
      this.clock = clock;
    }

    private void event(String event, String source, Object... fields) {
      writer.doorEvent(door, event, clock.nowNanos(), source, fields);
    }

    @Override
    public String address(long hi, long lo) {
      return writer.address(hi, lo);
    }

    @Override
    public void portOpened(int port) {
      event("service-open", null, "port", port);
    }

    @Override
    public void portClosed(int port) {
      event("service-closed", null, "port", port);
    }

    @Override
    public void portFailed(int port, String why) {
      event("service-error", null, "port", port, "error", String.valueOf(why));
    }

    @Override
    public void relayOpened(String source, String backend) {
      event("forward-open", source, "backend", backend);
    }

    @Override
    public void relayClosed(String source, long bytesIn, long bytesOut, String error) {
      if (error == null) {
        event("forward-closed", source, "bytes-in", bytesIn, "bytes-out", bytesOut);
      } else {
        event("forward-closed", source, "bytes-in", bytesIn, "bytes-out", bytesOut,
            "error", error);
      }
    }

    @Override
    public void relayFailed(String source, String backend, String reason) {
      event("forward-failed", source, "backend", backend, "reason", reason);
    }

    @Override
    public void busy(String source, int relays) {
      event("busy", source, "relays", relays);
    }

    @Override
    public void refused(String source) {
      event("refused", source);
    }

    @Override
    public void refusalsSummarized(long notLogged, long refused) {
      event("refused-summary", null, "not-logged", notLogged, "refused", refused);
    }

    @Override
    public void error(String why) {
      event("connection-error", null, "error", String.valueOf(why));
    }
  }
}
