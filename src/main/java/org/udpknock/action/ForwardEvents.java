package org.udpknock.action;

import org.udpknock.core.Addresses;
import org.udpknock.report.EventWriter;
import org.udpknock.server.Clock;

/**
 * What a forward door reports. {@link #NONE} ignores everything; {@link #writingTo} writes the
 * server's event lines ({@code forward-open SOURCE backend HOST:PORT}, ...).
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

  /** The server's event lines, stamped with {@code clock}. */
  static ForwardEvents writingTo(EventWriter writer, Clock clock) {
    return new EventLines(writer, clock);
  }

  /** Events as lines of the server's log, in its text or JSON schema. */
  final class EventLines implements ForwardEvents {
    private final EventWriter writer;
    private final Clock clock;

    EventLines(EventWriter writer, Clock clock) {
      this.writer = writer;
      this.clock = clock;
    }

    @Override
    public String address(long hi, long lo) {
      return writer.address(hi, lo);
    }

    @Override
    public void portOpened(int port) {
      writer.serverEvent("service-open", clock.nowNanos(), null, "port", port);
    }

    @Override
    public void portClosed(int port) {
      writer.serverEvent("service-closed", clock.nowNanos(), null, "port", port);
    }

    @Override
    public void portFailed(int port, String why) {
      writer.serverEvent("service-error", clock.nowNanos(), null, "port", port, "error", String.valueOf(why));
    }

    @Override
    public void relayOpened(String source, String backend) {
      writer.serverEvent("forward-open", clock.nowNanos(), source, "backend", backend);
    }

    @Override
    public void relayClosed(String source, long bytesIn, long bytesOut, String error) {
      if (error == null) {
        writer.serverEvent("forward-closed", clock.nowNanos(), source, "bytes-in", bytesIn, "bytes-out", bytesOut);
      } else {
        writer.serverEvent("forward-closed", clock.nowNanos(), source, "bytes-in", bytesIn, "bytes-out", bytesOut,
            "error", error);
      }
    }

    @Override
    public void relayFailed(String source, String backend, String reason) {
      writer.serverEvent("forward-failed", clock.nowNanos(), source, "backend", backend, "reason", reason);
    }

    @Override
    public void busy(String source, int relays) {
      writer.serverEvent("busy", clock.nowNanos(), source, "relays", relays);
    }

    @Override
    public void refused(String source) {
      writer.serverEvent("refused", clock.nowNanos(), source);
    }

    @Override
    public void refusalsSummarized(long notLogged, long refused) {
      writer.serverEvent("refused-summary", clock.nowNanos(), null, "not-logged", notLogged, "refused", refused);
    }

    @Override
    public void error(String why) {
      writer.serverEvent("connection-error", clock.nowNanos(), null, "error", String.valueOf(why));
    }
  }
}
