package org.udpknock.nft;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * udpknock's own table, {@code inet NAME}: one base chain on the input hook that, for each
 * guarded port, accepts established connections and sources in the port's sets and answers
 * every other SYN with a TCP reset, as a closed port does. Doors that guard the same port share
 * its rules: a source in any of their sets passes, the others get one reset. It never touches another table:
 * nftables drops what any base chain drops, so this table can only take access away.
 *
 * <p>Command texts are built only from validated names, port numbers, formatted addresses and
 * millisecond counts; nothing from a packet but its parsed source address reaches them.
 */
public record NftTable(String name, List<GuardedPort> ports) {
  public static final String DEFAULT_NAME = "udpknock";
  static final String CHAIN = "input";

  public NftTable {
    GuardedPort.requireName("table", name);
    ports = List.copyOf(ports);
    if (ports.isEmpty()) {
      throw new IllegalArgumentException("a table guards at least one port");
    }
    Set<String> names = new HashSet<>();
    for (GuardedPort port : ports) {
      if (!names.add(port.name())) {
        throw new IllegalArgumentException("two guarded ports would share the sets " + port.name() + "_*");
      }
    }
  }

  /** The command that removes the table, and with it every grant in the kernel. */
  public String deleteCommand() {
    return "nft delete table inet " + name;
  }

  /**
   * Creates the table, or brings an existing one to this configuration in one transaction:
   * sets are added if missing (an existing set keeps its live elements), the chain's rules are
   * replaced, so no packet ever sees a half-built chain.
   */
  String setUpCommands() {
    return setUpCommands(List.of());
  }

  /** As {@link #setUpCommands()}, also deleting {@code existingSets} that no guarded port uses any more. */
  String setUpCommands(List<String> existingSets) {
    StringBuilder text = new StringBuilder();
    text.append("add table inet ").append(name).append('\n');
    for (GuardedPort port : ports) {
      appendSets(text, port);
    }
    text.append("add chain inet ").append(name).append(' ').append(CHAIN)
        .append(" { type filter hook input priority filter; policy accept; }\n");
    text.append("flush chain inet ").append(name).append(' ').append(CHAIN).append('\n');
    for (String stale : staleSets(existingSets)) { // Unused once the chain is flushed: a removed door's.
      text.append("delete set inet ").append(name).append(' ').append(stale).append('\n');
    }
    for (Map.Entry<Integer, List<GuardedPort>> port : byPort().entrySet()) {
      appendRules(text, port.getKey(), port.getValue());
    }
    return text.toString();
  }

  private List<String> staleSets(List<String> existingSets) {
    Set<String> ours = new HashSet<>();
    for (GuardedPort port : ports) {
      ours.addAll(List.of(port.ipv4Set(), port.ipv6Set(), port.linkLocalSet()));
    }
    List<String> stale = new ArrayList<>();
    for (String set : existingSets) {
      if (GuardedPort.NAME.matcher(set.replaceFirst("_(v4|v6|ll)$", "")).matches() && !ours.contains(set)) {
        stale.add(set); // Only names udpknock could have made reach the command text.
      }
    }
    return stale;
  }

  private Map<Integer, List<GuardedPort>> byPort() {
    Map<Integer, List<GuardedPort>> byPort = new LinkedHashMap<>();
    for (GuardedPort port : ports) {
      byPort.computeIfAbsent(port.port(), number -> new ArrayList<>()).add(port);
    }
    return byPort;
  }

  /** For a table whose sets or chain do not fit this configuration: dropped and built anew. */
  String recreateCommands() {
    return "add table inet " + name + "\ndelete table inet " + name + "\n" + setUpCommands();
  }

  private void appendSets(StringBuilder text, GuardedPort port) {
    String prefix = "add set inet " + name + " ";
    text.append(prefix).append(port.ipv4Set()).append(" { type ipv4_addr; flags timeout; }\n");
    text.append(prefix).append(port.ipv6Set()).append(" { type ipv6_addr; flags timeout; }\n");
    text.append(prefix).append(port.linkLocalSet())
        .append(" { type iface_index . ipv6_addr; flags timeout; }\n");
  }

  private void appendRules(StringBuilder text, int number, List<GuardedPort> guards) {
    String rule = "add rule inet " + name + " " + CHAIN + " tcp dport " + number + " ";
    text.append(rule).append("ct state established,related accept\n");
    for (GuardedPort port : guards) {
      text.append(rule).append("ip saddr @").append(port.ipv4Set()).append(" accept\n");
      // A link-local address means nothing without its link: it counts only on its interface.
      text.append(rule).append("ip6 saddr fe80::/10 meta iif . ip6 saddr @").append(port.linkLocalSet())
          .append(" accept\n");
      text.append(rule).append("ip6 saddr != fe80::/10 ip6 saddr @").append(port.ipv6Set()).append(" accept\n");
    }
    text.append(rule).append("reject with tcp reset\n");
  }

  /**
   * Adds each source with its timeout, or renews it: {@code add element} alone keeps an existing
   * element's old timeout, and {@code delete} alone fails the whole batch when the element has
   * just expired. So: add (with a placeholder timeout), delete, add, in one transaction.
   */
  String allowCommands(GuardedPort port, List<Allowance> allowances) {
    StringBuilder text = new StringBuilder();
    appendPerSet(text, "add", port, allowances, allowance -> allowance.key() + " timeout 1s");
    appendPerSet(text, "delete", port, allowances, Allowance::key);
    appendPerSet(text, "add", port, allowances,
        allowance -> allowance.key() + " timeout " + allowance.timeoutMillis() + "ms");
    return text.toString();
  }

  private void appendPerSet(StringBuilder text, String verb, GuardedPort port, List<Allowance> allowances,
      Function<Allowance, String> element) {
    List<List<Allowance>> bySet = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (Allowance allowance : allowances) {
      bySet.get(allowance.isIpv4() ? 0 : allowance.isLinkLocal() ? 2 : 1).add(allowance);
    }
    String[] sets = {port.ipv4Set(), port.ipv6Set(), port.linkLocalSet()};
    for (int i = 0; i < sets.length; i++) {
      if (!bySet.get(i).isEmpty()) {
        text.append(verb).append(" element inet ").append(name).append(' ').append(sets[i]).append(" { ")
            .append(bySet.get(i).stream().map(element).collect(Collectors.joining(", "))).append(" }\n");
      }
    }
  }

  /**
   * Makes the table match this configuration, keeping live elements. Returns false when the
   * table was there in a shape that did not fit (e.g. another set type) and had to be rebuilt,
   * which drops the grants it held.
   */
  public boolean install(NftRunner nft) throws NftException {
    return install(nft, List.of());
  }

  /** As {@link #install(NftRunner)}, deleting the sets among {@code existingSets} that no door uses any more. */
  public boolean install(NftRunner nft, List<String> existingSets) throws NftException {
    try {
      nft.run(setUpCommands(existingSets));
      return true;
    } catch (NftException e) {
      if (e.isPermissionDenied()) {
        throw e;
      }
      nft.run(recreateCommands());
      return false;
    }
  }
}
