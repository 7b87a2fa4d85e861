package org.udpknock.server;

import org.udpknock.config.MetricsAddress;
import org.udpknock.fleet.FleetSettings;

/**
 * What the server is started with and a reload cannot change: the capture, the output, the
 * bounds on memory, the kernel's table. The doors, which a reload may change, are apart
 * ({@link ServerConfig#doors}).
 *
 * @param interfaceName the capture interface
 * @param json events as JSON lines
 * @param quiet no knock progress in the log
 * @param maxSources attempts tracked at once, per door
 * @param maxGrants grants held at once, per door
 * @param captureBufferBytes the kernel's capture ring, in bytes
 * @param anyDestination knocks addressed to any host count
 * @param waitForInterface wait for a missing interface instead of failing
 * @param maxGreetingsInFlight greetings being written at once, per listening door
 * @param nftMode whether the kernel guards listening doors' ports
 * @param nftTable the name of udpknock's own table, family inet
 * @param metrics where Prometheus metrics are served, or null: none
 * @param fleet the grant store that shared doors share through, or null: none
 */
public record ServerSettings(
    String interfaceName,
    boolean json,
    boolean quiet,
    int maxSources,
    int maxGrants,
    int captureBufferBytes,
    boolean anyDestination,
    boolean waitForInterface,
    int maxGreetingsInFlight,
    NftMode nftMode,
    String nftTable,
    MetricsAddress metrics,
    FleetSettings fleet) {

  public static final int DEFAULT_MAX_SOURCES = 1_000_000;
  /** Greetings being written at once; beyond that a granted connection is closed and logged as busy. */
  public static final int DEFAULT_MAX_GREETINGS_IN_FLIGHT = 256;
  /**
   * Grants held at once; beyond that the oldest is evicted. A real client connects within
   * milliseconds of its grant, and eviction takes the oldest first, so a flood evicts it only by
   * granting this many sources in between; 100,000 grants take under 5 MB.
   */
  public static final int DEFAULT_MAX_GRANTS = 100_000;
  public static final String DEFAULT_NFT_TABLE = "udpknock";
  public static final int DEFAULT_CAPTURE_BUFFER_BYTES = org.udpknock.config.Config.DEFAULT_CAPTURE_BUFFER_BYTES;

  /** Whether udpknock's nftables table guards the ports of listening doors. */
  public enum NftMode {
    /** Where nftables is usable; else say once what a scanner sees, and go on. */
    AUTO,
    /** Fail at start where nftables is not usable. */
    REQUIRE,
    /** Never. */
    OFF
  }

  /** The defaults, capturing on {@code interfaceName}. */
  public static ServerSettings defaults(String interfaceName) {
    return new ServerSettings(interfaceName, false, false, DEFAULT_MAX_SOURCES, DEFAULT_MAX_GRANTS,
        DEFAULT_CAPTURE_BUFFER_BYTES, false, false, DEFAULT_MAX_GREETINGS_IN_FLIGHT, NftMode.AUTO, DEFAULT_NFT_TABLE, null, null);
  }

  public ServerSettings withMaxSources(int sources) {
    return new ServerSettings(interfaceName, json, quiet, sources, maxGrants, captureBufferBytes, anyDestination,
        waitForInterface, maxGreetingsInFlight, nftMode, nftTable, metrics, fleet);
  }

  public ServerSettings withMaxGrants(int grants) {
    return new ServerSettings(interfaceName, json, quiet, maxSources, grants, captureBufferBytes, anyDestination,
        waitForInterface, maxGreetingsInFlight, nftMode, nftTable, metrics, fleet);
  }

  public ServerSettings withMetrics(MetricsAddress address) {
    return new ServerSettings(interfaceName, json, quiet, maxSources, maxGrants, captureBufferBytes, anyDestination,
        waitForInterface, maxGreetingsInFlight, nftMode, nftTable, address, fleet);
  }

  public ServerSettings withFleet(FleetSettings settings) {
    return new ServerSettings(interfaceName, json, quiet, maxSources, maxGrants, captureBufferBytes, anyDestination,
        waitForInterface, maxGreetingsInFlight, nftMode, nftTable, metrics, settings);
  }

  public ServerSettings withAnyDestination(boolean any) {
    return new ServerSettings(interfaceName, json, quiet, maxSources, maxGrants, captureBufferBytes, any,
        waitForInterface, maxGreetingsInFlight, nftMode, nftTable, metrics, fleet);
  }
}
