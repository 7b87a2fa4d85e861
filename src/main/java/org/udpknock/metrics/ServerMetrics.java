package org.udpknock.metrics;

import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;
import org.udpknock.action.Command;
import org.udpknock.action.CommandEventLog;
import org.udpknock.action.ConnectionCounts;
import org.udpknock.action.DoorAction;
import org.udpknock.action.ForwardAction;
import org.udpknock.auth.Verdict;
import org.udpknock.config.MetricsAddress;
import org.udpknock.core.ResetReason;
import org.udpknock.decode.DecodeOutcome;
import org.udpknock.door.Door;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.server.KnockServer;

/**
 * The server's metrics, in Prometheus' text format on {@code http://ADDRESS:PORT/metrics}
 * ({@code metrics} in the config file, {@code --metrics}), served by the Prometheus Java client's
 * HTTP server on a thread of its own.
 *
 * <p>Every series is a callback metric: a scrape reads, on the HTTP thread, the counts the
 * server's threads keep anyway (the capture thread's are written in opaque mode, see {@code
 * KnockEngine}), so the capture thread counts nothing twice, takes no lock, allocates nothing
 * and writes nothing shared for metrics. A counter the client kept itself would be an atomic
 * add per packet on a line the HTTP thread reads. A read may be a moment stale, never torn.
 *
 * <p>Door series are labelled {@code door="NAME"} and read the doors of the moment: after a
 * reload, a removed door's series are gone, an added door's appear, and a door whose rules
 * changed (a new engine) starts again from 0, which Prometheus' {@code rate()} reads as a reset.
 */
public final class ServerMetrics implements AutoCloseable {
  /** One thread answers scrapes; a burst beyond this many waiting is closed, so a flood holds no memory. */
  private static final int QUEUED_SCRAPES = 16;
  /**
   * The client's defaults, not {@code PrometheusProperties.get()}: that reads system properties,
   * environment variables and a properties file, whose port would win over the configured one
   * (and whose bad value would fail the start with a stack trace).
   */
  private static final PrometheusProperties DEFAULTS = PrometheusProperties.builder().build();

  private final HTTPServer http;

  private ServerMetrics(HTTPServer http) {
    this.http = http;
  }

  /**
   * Registers the series of {@code server} and serves them on {@code address}.
   *
   * @param reopenings how many times the capture was reopened after its interface was lost
   * @throws IOException when the address cannot be bound (in use, not this host's)
   */
  public static ServerMetrics start(MetricsAddress address, KnockServer server, LongSupplier reopenings)
      throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    new Series(registry, server, reopenings).registerAll();
    ExecutorService thread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(QUEUED_SCRAPES), runnable -> {
          Thread daemon = new Thread(runnable, "udpknock-metrics");
          daemon.setDaemon(true);
          return daemon;
        });
    try {
      return new ServerMetrics(HTTPServer.builder(DEFAULTS).inetAddress(address.address()).port(address.port())
          .registry(registry).executorService(thread).buildAndStart());
    } catch (IOException | RuntimeException e) {
      thread.shutdownNow();
      throw e;
    }
  }

  /** The port served on (the one asked for, or the one the system chose for port 0). */
  public int port() {
    return http.getPort();
  }

  /** Stops answering; the port is closed when this returns. */
  @Override
  public void close() {
    http.close();
  }

  /** The series, each read from the server when scraped. */
  private static final class Series {
    private final PrometheusRegistry registry;
    private final KnockServer server;
    private final FramePipeline pipeline;
    private final LongSupplier reopenings;

    Series(PrometheusRegistry registry, KnockServer server, LongSupplier reopenings) {
      this.registry = registry;
      this.server = server;
      this.pipeline = server.pipeline();
      this.reopenings = reopenings;
    }

    void registerAll() {
      capture();
      knocks();
      grants();
      connections();
      relays();
      commands();
      if (server.fleetTotals() != null) {
        fleet();
      }
    }

    /** A fleet member's: what its grant store did, and the other hosts' grants applied here. */
    private void fleet() {
      counter("udpknock_fleet_grants_published", "Grants of shared doors written to the grant store and announced.",
          () -> server.fleetTotals().store().published());
      counter("udpknock_fleet_messages_received", "Grant messages from other hosts, checked and accepted.",
          () -> server.fleetTotals().store().received());
      counter("udpknock_fleet_grants_applied", "Other hosts' grants applied to a shared door here.",
          () -> server.fleetTotals().applied());
      counter("udpknock_fleet_grants_dropped", "Grants not published: the store's queue was full, or the source was link-local.",
          () -> server.fleetTotals().store().dropped());
      labelledCounter("udpknock_fleet_messages_refused", "Grant messages refused (unsigned, wrongly signed, stale...),"
          + " by reason.", callback -> server.fleetTotals().store().refusedByReason()
              .forEach((reason, count) -> callback.call(count, reason)), "reason");
      GaugeWithCallback.builder(DEFAULTS).name("udpknock_fleet_store_up")
          .help("1 while the grant store is reachable, else 0.")
          .callback(callback -> callback.call(server.fleetConnected() ? 1 : 0)).register(registry);
    }

    private void capture() {
      counter("udpknock_capture_packets", "Frames the capture read from libpcap (past the kernel's filter).",
          pipeline::frames);
      counter("udpknock_capture_kernel_drops", "Frames the kernel dropped because the capture ring was full.",
          () -> server.captureStats().dropped());
      counter("udpknock_capture_reopenings", "Times the capture was reopened after its interface was lost.",
          reopenings);
      counter("udpknock_packet_errors", "Frames whose handling failed (each logged as packet-error).",
          server::packetErrors);
      counter("udpknock_datagrams_not_for_this_host", "UDP datagrams this host would not accept"
          + " (another destination, addresses the kernel drops, a VLAN it does not have).", pipeline::notForThisHost);
      labelledCounter("udpknock_capture_skipped", "Frames that could not be decoded, by reason.",
          callback -> {
            for (DecodeOutcome outcome : DecodeOutcome.values()) {
              if (outcome.skipped()) {
                callback.call(pipeline.count(outcome), outcome.label());
              }
            }
          }, "reason");
    }

    private void knocks() {
      doorCounter("udpknock_knocks", "Datagrams to the door's sequence ports that reached its engine.",
          door -> door.engine().knocks());
      doorCounter("udpknock_guard_hits", "Datagrams to the door's scan guard ports.", door -> door.engine().guardHits());
      doorCounter("udpknock_blocked_knocks", "First knocks ignored because the scan guard had blocked their source.",
          door -> door.engine().blockedKnocks());
      labelledCounter("udpknock_resets", "Knock attempts dropped before they completed, by reason.", callback -> {
        for (Door door : doors()) {
          for (ResetReason reason : ResetReason.values()) {
            callback.call(door.engine().resets(reason), door.name(), reason.label());
          }
        }
      }, "door", "reason");
      labelledCounter("udpknock_rejected_knocks", "Knocks an authenticated door refused, by reason.", callback -> {
        for (Door door : doors()) {
          if (door.verifier() != null) {
            for (Verdict verdict : Verdict.values()) {
              if (verdict != Verdict.ACCEPTED) {
                callback.call(door.verifier().count(verdict), door.name(), verdict.label());
              }
            }
          }
        }
      }, "door", "reason");
      doorGauge("udpknock_attempts", "Knock attempts under way now.", door -> door.engine().attemptsInProgress());
      doorGauge("udpknock_blocked_sources", "Sources the scan guard blocks now.", door -> door.engine().blockedSources());
    }

    private void grants() {
      doorCounter("udpknock_grants", "Sources that completed the door's sequence.", door -> door.engine().grants());
      doorCounter("udpknock_grants_evicted", "Grants ended before their time to make room for a new one.",
          door -> door.grants().evicted());
      doorGauge("udpknock_grants_live", "Grants held now (an ended one until the next expiry tick, 20 ms).",
          door -> door.grants().sizeWithoutLock());
    }

    /** Greet and forward doors only: an nftables door's connections are the kernel's, a commands door has none. */
    private void connections() {
      connectionCounter("udpknock_connections_served", "Connections to the door's port greeted (greet) or"
          + " relayed (forward).", ConnectionCounts::served);
      connectionCounter("udpknock_connections_refused", "Connections to the door's port closed because the"
          + " source held no grant.", ConnectionCounts::refused);
      connectionCounter("udpknock_connections_busy", "Granted connections closed because the door was at its limit.",
          ConnectionCounts::busy);
    }

    private void relays() {
      forwardCounter("udpknock_relays_opened", "Relays to a forward door's backend that connected.",
          ForwardAction.Counts::opened);
      forwardCounter("udpknock_relays_failed", "Relays whose backend could not be reached in time.",
          ForwardAction.Counts::failed);
      forwardCounter("udpknock_relays_closed", "Relays that ended.", ForwardAction.Counts::closed);
      labelledGauge("udpknock_relays_active", "Relays open now, those still connecting included.", callback -> {
        for (Door door : doors()) {
          if (server.action(door) instanceof ForwardAction forward) {
            callback.call(forward.counts().active(), door.name());
          }
        }
      }, "door");
    }

    private void commands() {
      CommandEventLog commands = server.commandEvents();
      labelledCounter("udpknock_commands", "on_open and on_close commands, by how they ended.", callback -> {
        for (Door door : doors()) {
          if (door.config().commands().isEmpty()) {
            continue;
          }
          for (Command.Hook hook : Command.Hook.values()) {
            for (CommandEventLog.Outcome outcome : CommandEventLog.Outcome.values()) {
              callback.call(commands.count(door.name(), hook, outcome), door.name(), hook.label(), outcome.label());
            }
          }
        }
      }, "door", "hook", "outcome");
    }

    private List<Door> doors() {
      return pipeline.doors();
    }

    private void connectionCounter(String name, String help, ToLongFunction<ConnectionCounts> value) {
      labelledCounter(name, help, callback -> {
        for (Door door : doors()) {
          DoorAction action = server.action(door);
          if (door.config().action().listens() && action != null) {
            callback.call(value.applyAsLong(action.connections()), door.name());
          }
        }
      }, "door");
    }

    private void counter(String name, String help, LongSupplier value) {
      labelledCounter(name, help, callback -> callback.call(value.getAsLong()));
    }

    private void doorCounter(String name, String help, ToLongFunction<Door> value) {
      labelledCounter(name, help, callback -> doors().forEach(door -> callback.call(value.applyAsLong(door),
          door.name())), "door");
    }

    private void forwardCounter(String name, String help, ToLongFunction<ForwardAction.Counts> value) {
      labelledCounter(name, help, callback -> {
        for (Door door : doors()) {
          if (server.action(door) instanceof ForwardAction forward) {
            callback.call(value.applyAsLong(forward.counts()), door.name());
          }
        }
      }, "door");
    }

    private void doorGauge(String name, String help, ToLongFunction<Door> value) {
      labelledGauge(name, help, callback -> doors().forEach(door -> callback.call(value.applyAsLong(door),
          door.name())), "door");
    }

    private void labelledCounter(String name, String help, Consumer<CounterWithCallback.Callback> callback,
        String... labels) {
      CounterWithCallback.builder(DEFAULTS).name(name).help(help).labelNames(labels).callback(callback).register(registry);
    }

    private void labelledGauge(String name, String help, Consumer<GaugeWithCallback.Callback> callback,
        String... labels) {
      GaugeWithCallback.builder(DEFAULTS).name(name).help(help).labelNames(labels).callback(callback).register(registry);
    }
  }
}
