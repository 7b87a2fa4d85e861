package org.udpknock.cli;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.List;
import org.udpknock.nft.GuardedPort;
import org.udpknock.nft.KernelGrants;
import org.udpknock.nft.NftContext;
import org.udpknock.nft.NftException;
import org.udpknock.nft.NftTable;
import org.udpknock.report.EventWriter;
import org.udpknock.server.AccessControl;
import org.udpknock.server.Clock;
import org.udpknock.server.ServerConfig;
import picocli.CommandLine.Option;

/** The server's use of nftables: whether the kernel guards the service port, and in which table. */
final class NftOptions {
  enum Mode { auto, require, off }

  /** The service port's sets are named after it: service_v4, service_v6, service_ll. */
  static final String SERVICE = "service";

  @Option(names = "--nftables", paramLabel = "MODE", defaultValue = "auto",
      description = "auto: where nftables is usable (libnftables1, CAP_NET_ADMIN), the kernel resets"
          + " every connection to the service port from a source without a grant, else say what a"
          + " scanner sees and go on; require: fail instead; off: never. Default: ${DEFAULT-VALUE}.")
  Mode mode;

  @Option(names = "--nft-table", paramLabel = "NAME", defaultValue = NftTable.DEFAULT_NAME,
      description = "udpknock's own nftables table (family inet). Default: ${DEFAULT-VALUE}.")
  String table;

  /** Installs the table and starts the worker, or says once what a scanner can see instead. */
  AccessControl start(ServerConfig config, EventWriter writer) {
    if (mode == Mode.off) {
      return AccessControl.NONE;
    }
    NftTable nftTable = validatedTable(config.servicePort());
    NftContext nft = null;
    try {
      nft = NftContext.open();
      if (!nftTable.install(nft)) {
        warn(writer, "the nftables table inet " + nftTable.name() + " did not fit this configuration and"
            + " was rebuilt; grants it held were dropped");
      }
      return new KernelGrants(nftTable, nftTable.ports().get(0), nft, new EventListener(writer),
          () -> captureInterfaceIndex(config.interfaceName()), System::nanoTime,
          KernelGrants.DEFAULT_QUEUE_CAPACITY).start();
    } catch (NftException e) {
      if (nft != null) {
        nft.close();
      }
      return unusable(e, config.servicePort(), writer);
    }
  }

  private NftTable validatedTable(int servicePort) {
    try {
      return new NftTable(table, List.of(new GuardedPort(SERVICE, servicePort)));
    } catch (IllegalArgumentException e) {
      throw new UserError(ExitCodes.USAGE, "--nft-table: " + e.getMessage());
    }
  }

  private AccessControl unusable(NftException e, int port, EventWriter writer) {
    String why = e.isPermissionDenied() ? "no CAP_NET_ADMIN, which the server needs besides CAP_NET_RAW"
        + " for its nftables table" : e.getMessage();
    if (mode == Mode.require) {
      throw new UserError(ExitCodes.FAILURE, "nftables is not usable here: " + why
          + "; fix that, or run with --nftables auto");
    }
    warn(writer, "nftables is not usable here (" + why + "): a scanner sees port " + port
        + " closed until someone knocks, then open to every source while any grant lasts, though"
        + " only the granted source is greeted; install libnftables1 and give the server"
        + " CAP_NET_ADMIN so that the kernel resets every source without a grant");
    return AccessControl.NONE;
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

    EventListener(EventWriter writer) {
      this.writer = writer;
    }

    @Override
    public void applied(String source, long delayNanos) {
      writer.serverEvent("nft-allowed", Clock.SYSTEM.nowNanos(), source, "after-us", delayNanos / 1000);
    }

    @Override
    public void failed(String source, String why) {
      writer.serverEvent("nft-error", Clock.SYSTEM.nowNanos(), source, "error", why);
    }

    @Override
    public void queueFull(long droppedTotal) {
      writer.serverEvent("nft-queue-full", Clock.SYSTEM.nowNanos(), null, "dropped", droppedTotal);
    }
  }
}
