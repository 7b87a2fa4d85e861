package org.udpknock.config;

import java.nio.file.Path;
import java.util.List;
import org.udpknock.door.DoorConfig;

/**
 * A config file's contents, checked: the settings that apply to the whole server, and the doors.
 * The command line's {@code -i} wins over {@link #interfaceName}; the caller applies that.
 *
 * @param file the file it was read from
 * @param interfaceName {@code interface}, or null when the file names none
 * @param json {@code json}: events as JSON lines
 * @param quiet {@code quiet}: no knock progress, resets or rejected knocks in the log
 * @param maxSources {@code max_sources}: most knock attempts tracked at once, per door
 * @param maxGrants {@code max_grants}: most grants held at once, per door
 * @param captureBufferBytes {@code capture_buffer}: the kernel's capture ring, in bytes
 * @param anyDestination {@code any_destination}: count knocks addressed to any host
 * @param waitForInterface {@code wait_for_interface}: wait for a missing interface instead of failing
 * @param nftables {@code nftables}: whether the kernel guards the doors' ports
 * @param nftTable {@code nft_table}: udpknock's own nftables table (family inet)
 * @param doors at least one, with distinct names, no two listening on one TCP port
 * @param metrics {@code metrics}: where Prometheus metrics are served, or null (the default): none
 * @param fleet {@code grant_store} and its companions, or null (the default): this host shares no grant
 */
public record Config(
    Path file,
    String interfaceName,
    boolean json,
    boolean quiet,
    int maxSources,
    int maxGrants,
    int captureBufferBytes,
    boolean anyDestination,
    boolean waitForInterface,
    Nftables nftables,
    String nftTable,
    List<DoorConfig> doors,
    MetricsAddress metrics,
    org.udpknock.fleet.FleetSettings fleet) {

  public static final int DEFAULT_MAX_SOURCES = 1_000_000;
  public static final int DEFAULT_MAX_GRANTS = 100_000;
  /**
   * The capture ring: the kernel buffer that holds what the capture thread has not read yet.
   * 8 MB lost no packet at 100k pps on lo (README: Performance, scripts/bench ring), where 64 MB
   * cost 66 MB of resident memory for nothing.
   */
  public static final int DEFAULT_CAPTURE_BUFFER_BYTES = 8 << 20;
  public static final int MIN_CAPTURE_BUFFER_BYTES = 1 << 20;
  public static final int MAX_CAPTURE_BUFFER_BYTES = 1 << 30;
  /** The command line's bound on --max-sources, --max-grants and --nonce-cache. */
  public static final int MAX_TABLE_SIZE = 50_000_000;

  public Config {
    doors = List.copyOf(doors);
  }

  /** {@code nftables = "auto" | "require" | "off"}, as the command line's {@code --nftables}. */
  public enum Nftables {
    AUTO, REQUIRE, OFF;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
