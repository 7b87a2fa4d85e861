package org.udpknock.cli;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.udpknock.door.DoorConfig;
import org.udpknock.nft.GuardedPort;
import org.udpknock.nft.KernelGrants;
import org.udpknock.nft.NftContext;
import org.udpknock.nft.NftException;
import org.udpknock.nft.NftTable;
import org.udpknock.report.EventWriter;
import org.udpknock.server.AccessControl;
import org.udpknock.server.Clock;
import org.udpknock.server.ServerConfig;
import org.udpknock.server.ServerSettings;
import picocli.CommandLine.Option;

/**
 * The server's use of nftables: whether the kernel guards the ports of listening doors, and in
 * which table. One table, {@code inet NAME}, with a set triple and rules per listening door.
 */
final class NftOptions {
  enum Mode { auto, require, off }

  /** The default door's sets keep today's names, so a table made before doors still fits: service_v4, ... */
  static final String SERVICE = "service";

  @Option(names = "--nftables", paramLabel = "MODE", defaultValue = "auto",
      description = "auto: where nftables is usable (libnftables1, CAP_NET_ADMIN), the kernel resets"
          + " every connection to the service port from a source without a grant, else say what a"
          + " scanner sees and go on; require: fail instead; off: never. Default: ${DEFAULT-VALUE}.")
  Mode mode;

  @Option(names = "--nft-table", paramLabel = "NAME", defaultValue = NftTable.DEFAULT_NAME,
      description = "udpknock's own nftables table (family inet). Default: ${DEFAULT-VALUE}.")
  String table;

  ServerSettings.NftMode settingsMode() {
    return ServerSettings.NftMode.valueOf(mode.name().toUpperCase(java.util.Locale.ROOT));
  }

  /** The kernel's guard of each listening door; {@link AccessControl#NONE} for a door it does not guard. */
  static final class KernelGuards implements AutoCloseable {
    static final KernelGuards NONE = new KernelGuards(Map.of());
    private final Map<String, AccessControl> byDoor;

    KernelGuards(Map<String, AccessControl> byDoor) {
      this.byDoor = byDoor;
    }

    AccessControl forDoor(DoorConfig door) {
      return byDoor.getOrDefault(door.name(), AccessControl.NONE);
    }

    @Override
    public void close() {
      byDoor.values().forEach(AccessControl::close);
    }
  }

  /** Installs the table and starts a worker per listening door, or says once what a scanner can see instead. */
  static KernelGuards start(ServerConfig config, EventWriter writer) {
    ServerSettings settings = config.settings();
    Map<String, GuardedPort> ports = guardedPorts(config.doors());
    if (settings.nftMode() == ServerSettings.NftMode.OFF || ports.isEmpty()) {
      return KernelGuards.NONE;
    }
    NftTable nftTable = validatedTable(settings.nftTable(), List.copyOf(ports.values()));
    Map<String, AccessControl> guards = new LinkedHashMap<>();
    try {
      install(nftTable, writer);
      for (Map.Entry<String, GuardedPort> door : ports.entrySet()) {
        guards.put(door.getKey(), worker(nftTable, door.getKey(), door.getValue(), settings.interfaceName(), writer));
      }
      return new KernelGuards(guards);
    } catch (NftException e) {
      guards.values().forEach(AccessControl::close);
      return unusable(e, settings.nftMode(), ports.values(), writer);
    }
  }

  /** Each listening door's sets: the default door's are named {@code service}, others after the door. */
  static Map<String, GuardedPort> guardedPorts(List<DoorConfig> doors) {
    Map<String, GuardedPort> ports = new LinkedHashMap<>();
    Set<String> taken = new HashSet<>();
    for (DoorConfig door : doors) {
      if (door.action().listens()) {
        String name = setName(door, taken, ports.size());
        taken.add(name);
        ports.put(door.name(), new GuardedPort(name, door.port()));
      }
    }
    return ports;
  }

  private static String setName(DoorConfig door, Set<String> taken, int index) {
    String wanted = door.name().equals(DoorConfig.DEFAULT_NAME) ? SERVICE
        : door.name().toLowerCase(java.util.Locale.ROOT).replace('-', '_');
    boolean usable = wanted.matches("[a-z][a-z0-9_]{0,23}") && !taken.contains(wanted);
    return usable ? wanted : "door" + index;
  }

  private static void install(NftTable nftTable, EventWriter writer) throws NftException {
    try (NftContext nft = NftContext.open()) {
      if (!nftTable.install(nft)) {
        warn(writer, "the nftables table inet " + nftTable.name() + " did not fit this configuration and"
            + " was rebuilt; grants it held were dropped");
      }
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
    String why = e.isPermissionDenied() ? "no CAP_NET_ADMIN, which the server needs besides CAP_NET_RAW"
        + " for its nftables table" : e.getMessage();
    if (mode == ServerSettings.NftMode.REQUIRE) {
      throw new UserError(ExitCodes.FAILURE, "nftables is not usable here: " + why
          + "; fix that, or run with --nftables auto");
    }
    List<String> numbers = new ArrayList<>();
    ports.forEach(port -> numbers.add(String.valueOf(port.port())));
    warn(writer, "nftables is not usable here (" + why + "): a scanner sees port " + String.join(", ", numbers)
        + " closed until someone knocks, then open to every source while any grant lasts, though"
        + " only the granted source is greeted; install libnftables1 and give the server"
        + " CAP_NET_ADMIN so that the kernel resets every source without a grant");
    return KernelGuards.NONE;
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
