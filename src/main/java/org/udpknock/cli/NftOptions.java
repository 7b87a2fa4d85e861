package org.udpknock.cli;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.udpknock.door.ActionKind;
import org.udpknock.door.DoorConfig;
import org.udpknock.nft.GuardedPort;
import org.udpknock.nft.KernelGrants;
import org.udpknock.nft.NftContext;
import org.udpknock.nft.NftException;
import org.udpknock.nft.NftTable;
import org.udpknock.report.EventWriter;
import org.udpknock.server.AccessControl;
import org.udpknock.server.Clock;
import org.udpknock.server.DoorGuards;
import org.udpknock.server.ServerConfig;
import org.udpknock.server.ServerSettings;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The server's use of nftables: whether the kernel guards the ports of listening doors, and in
 * which table. One table, {@code inet NAME}, with a set triple and rules per listening door.
 */
final class NftOptions {
  enum Mode { auto, require, off }

  Mode mode;
  String table;

  NftOptions(CommandSpec spec) {
    spec.addOption(Specs.option(Mode.class, value -> mode = value, "--nftables").paramLabel("MODE")
        .defaultValue("auto")
        .description("auto: where nftables is usable (libnftables1, CAP_NET_ADMIN), the kernel resets"
            + " every connection to the service port from a source without a grant, else say what a"
            + " scanner sees and go on; require: fail instead; off: never. Default: ${DEFAULT-VALUE}.").build());
    spec.addOption(Specs.option(String.class, value -> table = value, "--nft-table").paramLabel("NAME")
        .defaultValue(NftTable.DEFAULT_NAME)
        .description("udpknock's own nftables table (family inet). Default: ${DEFAULT-VALUE}.").build());
  }

  ServerSettings.NftMode settingsMode() {
    return ServerSettings.NftMode.valueOf(mode.name().toUpperCase(java.util.Locale.ROOT));
  }

  /** The kernel's guard of each guarded door; {@link AccessControl#NONE} for a door it does not guard. */
  static final class KernelGuards implements DoorGuards, AutoCloseable {
    static final KernelGuards NONE = new KernelGuards(null, null, null);
    private final String table;
    private final String interfaceName;
    private final EventWriter writer;
    private final Map<String, AccessControl> byDoor = new LinkedHashMap<>();

    private KernelGuards(String table, String interfaceName, EventWriter writer) {
      this.table = table;
      this.interfaceName = interfaceName;
      this.writer = writer;
    }

    @Override
    public synchronized AccessControl forDoor(DoorConfig door) {
      return byDoor.getOrDefault(door.name(), AccessControl.NONE);
    }

    /** At a reload; without nftables (NONE), nothing: a new nftables door is then refused by its action. */
    @Override
    public synchronized void guard(List<DoorConfig> doors, boolean dropOthers) {
      if (table == null) {
        return;
      }
      try {
        update(doors, dropOthers);
      } catch (NftException e) {
        throw new IllegalArgumentException("the nftables table inet " + table + " could not change (" + why(e)
            + "), so it stays as it was");
      }
    }

    /** The table for {@code doors}, then a worker for each new door; with {@code dropOthers}, the others' end. */
    private void update(List<DoorConfig> doors, boolean dropOthers) throws NftException {
      Map<String, GuardedPort> ports = guardedPorts(doors);
      NftTable nftTable = ports.isEmpty() ? null : new NftTable(table, List.copyOf(ports.values()));
      if (nftTable != null) {
        install(nftTable, dropOthers, writer);
      } else if (dropOthers) {
        deleteTable(table);
      }
      for (Map.Entry<String, GuardedPort> door : ports.entrySet()) {
        if (!byDoor.containsKey(door.getKey())) {
          byDoor.put(door.getKey(), worker(nftTable, door.getKey(), door.getValue(), interfaceName, writer));
        }
      }
      if (dropOthers) {
        byDoor.entrySet().removeIf(door -> !ports.containsKey(door.getKey()) && closed(door.getValue()));
      }
    }

    private static boolean closed(AccessControl worker) {
      worker.close();
      return true;
    }

    @Override
    public synchronized void close() {
      byDoor.values().forEach(AccessControl::close);
    }
  }

  /**
   * Installs the table and starts a worker per guarded door (listening and nftables doors), or
   * says once what a scanner can see instead. An nftables door without nftables is refused: it
   * would guard nothing.
   */
  static KernelGuards start(ServerConfig config, EventWriter writer) {
    ServerSettings settings = config.settings();
    Map<String, GuardedPort> ports = guardedPorts(config.doors());
    if (settings.nftMode() == ServerSettings.NftMode.OFF || ports.isEmpty()) {
      refuseNftablesDoors(config.doors(), ExitCodes.USAGE, "nftables is off");
      return KernelGuards.NONE;
    }
    validatedTable(settings.nftTable(), List.copyOf(ports.values()));
    KernelGuards guards = new KernelGuards(settings.nftTable(), settings.interfaceName(), writer);
    try {
      guards.update(config.doors(), true);
      return guards;
    } catch (NftException e) {
      guards.close();
      refuseNftablesDoors(config.doors(), ExitCodes.FAILURE, "nftables is not usable here: " + why(e));
      return unusable(e, settings.nftMode(), ports.values(), writer);
    }
  }

  /** Each guarded door's sets, named after the door ({@link GuardedPort#setsFor}). */
  static Map<String, GuardedPort> guardedPorts(List<DoorConfig> doors) {
    Map<String, GuardedPort> ports = new LinkedHashMap<>();
    for (DoorConfig door : doors) {
      if (door.action().listens() || door.action() == ActionKind.NFTABLES) {
        ports.put(door.name(), new GuardedPort(GuardedPort.setsFor(door.name()), door.port()));
      }
    }
    return ports;
  }

  private static void refuseNftablesDoors(List<DoorConfig> doors, int exitCode, String why) {
    for (DoorConfig door : doors) {
      if (door.action() == ActionKind.NFTABLES) {
        throw new UserError(exitCode, "door '" + door.name() + "' has action = \"nftables\", but " + why
            + "; give the server libnftables1 and CAP_NET_ADMIN, with nftables = \"auto\" or \"require\"");
      }
    }
  }

  /** With {@code dropStale}, also deletes the sets no door uses any more. */
  private static void install(NftTable nftTable, boolean dropStale, EventWriter writer) throws NftException {
    try (NftContext nft = NftContext.open()) {
      if (!nftTable.install(nft, dropStale ? nft.setNames(nftTable.name()) : List.of())) {
        warn(writer, "the nftables table inet " + nftTable.name() + " did not fit this configuration and"
            + " was rebuilt; grants it held were dropped");
      }
    }
  }

  /** The last guarded door is gone: so is the table, with every grant it held. */
  private static void deleteTable(String table) throws NftException {
    try (NftContext nft = NftContext.open()) {
      nft.run("delete table inet " + table);
    }
  }

  private static AccessControl worker(NftTable nftTable, String door, GuardedPort port, String interfaceName, EventWriter writer)
      throws NftException {
    NftContext nft = NftContext.open();
    return new KernelGrants(nftTable, port, nft, new EventListener(writer, door),
        () -> captureInterfaceIndex(interfaceName), System::nanoTime, KernelGrants.DEFAULT_QUEUE_CAPACITY).start();
  }

  private static NftTable validatedTable(String table, List<GuardedPort> ports) {
    try {
      return new NftTable(table, ports);
    } catch (IllegalArgumentException e) {
      throw new UserError(ExitCodes.USAGE, "--nft-table: " + e.getMessage());
    }
  }

  private static KernelGuards unusable(NftException e, ServerSettings.NftMode mode,
      java.util.Collection<GuardedPort> ports, EventWriter writer) {
    String why = why(e);
    if (mode == ServerSettings.NftMode.REQUIRE) {
      throw new UserError(ExitCodes.FAILURE, "nftables is not usable here: " + why
          + "; fix that, or run with --nftables auto");
    }
    List<String> numbers = new ArrayList<>();
    ports.forEach(port -> numbers.add(String.valueOf(port.port()))); // Listening doors' only: nftables doors were refused.
    warn(writer, "nftables is not usable here (" + why + "): a scanner sees port " + String.join(", ", numbers)
        + " closed until someone knocks, then open to every source while any grant lasts, though"
        + " only the granted source is greeted; install libnftables1 and give the server"
        + " CAP_NET_ADMIN so that the kernel resets every source without a grant");
    return KernelGuards.NONE;
  }

  private static String why(NftException e) {
    return e.isPermissionDenied() ? "no CAP_NET_ADMIN, which the server needs besides CAP_NET_RAW"
        + " for its nftables table" : e.getMessage();
  }

  private static void warn(EventWriter writer, String message) {
    writer.serverEvent("warning", Clock.SYSTEM.nowNanos(), null, "message", message);
  }

  /** Looked up on each use: an interface that comes back after a loss has a new index. */
  private static int captureInterfaceIndex(String name) {
    try {
      NetworkInterface device = NetworkInterface.getByName(name);
      return device == null ? 0 : device.getIndex();
    } catch (SocketException e) {
      return 0;
    }
  }

  /** The worker's reports as server events. */
  private static final class EventListener implements KernelGrants.Listener {
    private final EventWriter writer;
    private final String door;

    EventListener(EventWriter writer, String door) {
      this.writer = writer;
      this.door = door;
    }

    @Override
    public void applied(String source, long delayNanos) {
      writer.doorEvent(door, "nft-allowed", Clock.SYSTEM.nowNanos(), source, "after-us", delayNanos / 1000);
    }

    @Override
    public void failed(String source, String why) {
      writer.doorEvent(door, "nft-error", Clock.SYSTEM.nowNanos(), source, "error", why);
    }

    @Override
    public void queueFull(long droppedTotal) {
      writer.doorEvent(door, "nft-queue-full", Clock.SYSTEM.nowNanos(), null, "dropped", droppedTotal);
    }
  }
}
