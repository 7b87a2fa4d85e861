package org.udpknock.capture;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.pcap4j.core.PcapAddress;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;
import org.udpknock.server.CaptureException;
import org.udpknock.server.CaptureException.Kind;

/** libpcap through pcap4j: probing the library and listing devices, with errors made readable. */
public final class Pcap {
  private Pcap() {}

  /** A capture device as libpcap lists it. */
  public record Device(String name, String description, List<InetAddress> addresses,
      boolean loopback, boolean up, boolean running) {}

  /**
   * Loads libpcap once and returns its version. pcap4j reports a missing library with an
   * UnsatisfiedLinkError, and every later call with NoClassDefFoundError: turn both into one
   * sentence with the install command.
   */
  public static String libraryVersion() throws CaptureException {
    try {
      return Pcaps.libVersion();
    } catch (LinkageError e) {
      throw new CaptureException(Kind.LIBPCAP_MISSING,
          "libpcap is not installed; install it with: sudo apt-get install libpcap0.8");
    }
  }

  /** Every device libpcap can capture on; needs no capture privilege on Linux. */
  public static List<Device> devices() throws CaptureException {
    libraryVersion();
    try {
      List<Device> devices = new ArrayList<>();
      for (PcapNetworkInterface nif : Pcaps.findAllDevs()) {
        List<InetAddress> addresses = new ArrayList<>();
        for (PcapAddress address : nif.getAddresses()) {
          if (address.getAddress() != null) {
            addresses.add(address.getAddress());
          }
        }
        devices.add(new Device(nif.getName(), nif.getDescription(), addresses, nif.isLoopBack(),
            nif.isUp(), nif.isRunning()));
      }
      return devices;
    } catch (PcapNativeException e) {
      throw new CaptureException(Kind.OTHER, "libpcap could not list the capture devices: "
          + e.getMessage());
    }
  }

  /** Device names, for messages: {@code lo, eth0, any}. */
  public static String deviceNames() {
    try {
      List<String> names = new ArrayList<>();
      devices().forEach(device -> names.add(device.name()));
      return String.join(", ", names);
    } catch (CaptureException e) {
      return "(none could be listed)";
    }
  }
}
