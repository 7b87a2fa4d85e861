package org.udpknock.cli;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.udpknock.capture.Pcap;
import org.udpknock.core.Addresses;
import org.udpknock.server.CaptureException;
import org.udpknock.server.DefaultInterface;
import org.udpknock.server.LocalAddresses;
import picocli.CommandLine.Model.CommandSpec;

final class InterfacesCommand implements Callable<Integer> {
  static final Specs.Usage USAGE = new Specs.Usage("interfaces",
      "List the capture devices; the one the server uses by default is marked.");

  final CommandSpec spec = Specs.command(this, USAGE);

  @Override
  public Integer call() {
    List<Pcap.Device> devices;
    try {
      devices = Pcap.devices();
    } catch (CaptureException e) {
      throw new UserError(ExitCodes.FAILURE, e.getMessage());
    }
    List<String> names = devices.stream().map(Pcap.Device::name).collect(Collectors.toList());
    Optional<String> chosen = DefaultInterface.choose(names, Path.of("/proc/net/route"));
    PrintWriter out = spec.commandLine().getOut();
    List<List<String>> rows = devices.stream()
        .map(device -> row(device, chosen.map(device.name()::equals).orElse(false)))
        .collect(Collectors.toList());
    columns(rows).forEach(out::println);
    if (devices.isEmpty()) {
      out.println("no capture device found");
    }
    return ExitCodes.OK;
  }

  /** One device's cells: name, flags, and its addresses (with the mark of the server's default). */
  private static List<String> row(Pcap.Device device, boolean isDefault) {
    List<String> flags = new ArrayList<>();
    if (device.loopback()) {
      flags.add("loopback");
    }
    flags.add(device.up() ? "up" : "down");
    if (device.running()) {
      flags.add("running");
    }
    String addresses = device.addresses().stream().map(InterfacesCommand::text)
        .collect(Collectors.joining(" "));
    return List.of(device.name(), String.join(",", flags),
        (addresses.isEmpty() ? "-" : addresses) + (isDefault ? "   (default for server)" : ""));
  }

  /**
   * The rows as lines of aligned columns: each cell but a row's last is padded to the widest cell
   * of its column (names such as {@code bluetooth-monitor} are longer than any fixed width), and
   * two spaces part the columns.
   */
  static List<String> columns(List<List<String>> rows) {
    List<Integer> widths = new ArrayList<>();
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        if (i == widths.size()) {
          widths.add(0);
        }
        widths.set(i, Math.max(widths.get(i), row.get(i).length()));
      }
    }
    List<String> lines = new ArrayList<>();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size() - 1; i++) {
        line.append(row.get(i)).append(" ".repeat(widths.get(i) - row.get(i).length() + 2));
      }
      lines.add(line.append(row.isEmpty() ? "" : row.get(row.size() - 1)).toString());
    }
    return lines;
  }

  /** RFC 5952 for IPv6, as in every other output of udpknock. */
  private static String text(InetAddress address) {
    long[] key = LocalAddresses.key(address);
    return Addresses.format(key[0], key[1]);
  }
}
