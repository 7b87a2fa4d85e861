package org.udpknock.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The interface the server sniffs when none is named: {@code any} where libpcap has it. */
public final class DefaultInterface {
  private DefaultInterface() {}

  /** {@code any} if listed; else the interface of the default route; else the first listed. */
  public static Optional<String> choose(List<String> deviceNames, Path procNetRoute) {
    if (deviceNames.contains("any")) {
      return Optional.of("any");
    }
    Optional<String> routed = defaultRouteInterface(procNetRoute).filter(deviceNames::contains);
    return routed.isPresent() ? routed : deviceNames.stream().findFirst();
  }

  /**
   * Whether {@code name} is one of the kernel's network interfaces, from {@code sysClassNet}
   * (Linux's /sys/class/net, a directory per interface, up or down). libpcap lists every one of
   * them, so a name found here needs no list; the list is asked for the other names (any,
   * nflog, usbmon...). A name that could leave the directory (a slash, . or ..) is none.
   */
  public static boolean isKernelInterface(String name, Path sysClassNet) {
    if (name.isEmpty() || name.contains("/") || name.equals(".") || name.equals("..")) {
      return false;
    }
    return Files.isDirectory(sysClassNet.resolve(name));
  }

  /** Reads Linux's routing table: the default route has destination and mask 00000000. */
  static Optional<String> defaultRouteInterface(Path procNetRoute) {
    try {
      for (String line : Files.readAllLines(procNetRoute)) {
        String[] fields = line.trim().split("\\s+");
        if (fields.length > 7 && fields[1].equals("00000000") && fields[7].equals("00000000")) {
          return Optional.of(fields[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or unreadable: no default route known.
    }
    return Optional.empty();
  }
}
