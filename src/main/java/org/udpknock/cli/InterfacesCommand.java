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
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "interfaces", mixinStandardHelpOptions = true,
    description = "List the capture devices; the one the server uses by default is marked.")
final class InterfacesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

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
    for (Pcap.Device device : devices) {
      out.println(line(device, chosen.map(device.name()::equals).orElse(false)));
    }
    if (devices.isEmpty()) {
      out.println("no capture device found");
    }
    return ExitCodes.OK;
  }

  private static String line(Pcap.Device device, boolean isDefault) {
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
    return String.format("%-12s %-8s %s%s", device.name(), String.join(",", flags),
        addresses.isEmpty() ? "-" : addresses, isDefault ? "   (default for server)" : "");
  }

  /** RFC 5952 for IPv6, as in every other output of udpknock. */
  private static String text(InetAddress address) {
    long[] key = LocalAddresses.key(address);
    return Addresses.format(key[0], key[1]);
  }
}
