package org.udpknock.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The host's VLAN interfaces, as {@code /proc/net/vlan/config} lists them (one line per
 * interface: {@code eth0.5 | 5 | eth0}). Linux hands a tagged frame to an IP stack only through
 * a VLAN interface with that tag on the interface it came in on, tag by tag for stacked tags;
 * a tag with VLAN id 0 only carries a priority and is delivered on the interface itself.
 */
final class VlanInterfaces {
  static final VlanInterfaces NONE = new VlanInterfaces(Map.of());

  /** Keys: {@code parent + "|" + vlan id}; values: the VLAN interface's name. */
  private final Map<String, String> children;

  private VlanInterfaces(Map<String, String> children) {
    this.children = children;
  }

  /** Reads {@code config}; none when it is absent (the 8021q module is not loaded) or unreadable. */
  static VlanInterfaces read(Path config) {
    try {
      return parse(Files.readAllLines(config));
    } catch (IOException | RuntimeException e) { // NoSuchFileException: 8021q not loaded.
      return NONE;
    }
  }

  static VlanInterfaces parse(List<String> lines) {
    Map<String, String> children = new HashMap<>();
    for (String line : lines) {
      String[] fields = line.split("\\|");
      if (fields.length == 3 && fields[1].strip().matches("[0-9]{1,4}")) {
        children.put(fields[2].strip() + "|" + Integer.parseInt(fields[1].strip()), fields[0].strip());
      }
    }
    return new VlanInterfaces(Map.copyOf(children));
  }

  /** Whether a frame tagged {@code vlanIds[0..count)} on {@code interfaceName} reaches an IP stack. */
  boolean reaches(String interfaceName, int[] vlanIds, int count) {
    String current = interfaceName;
    for (int i = 0; i < count && current != null; i++) {
      if (vlanIds[i] != 0) {
        current = children.get(current + "|" + vlanIds[i]);
      }
    }
    return current != null;
  }
}
