package org.udpknock.server;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.udpknock.auth.AuthSettings;
import org.udpknock.config.Config;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ScanGuard;
import org.udpknock.decode.CaptureFilter;
import org.udpknock.decode.LinkType;
import org.udpknock.door.Sharing;
import org.udpknock.door.ActionKind;
import org.udpknock.door.Commands;
import org.udpknock.door.DoorConfig;
import org.udpknock.door.DoorList;

/**
 * What the server was asked to do: settings a reload cannot change, and the doors, which it
 * can. Checked by whoever built it (the command line or the config loader); the checks that
 * span doors ({@link DoorList#refusal}) are made here.
 */
public record ServerConfig(ServerSettings settings, List<DoorConfig> doors) {
  public static final String DEFAULT_GREETING = DoorConfig.DEFAULT_GREETING;
  /** A client that has not read its greeting by then is cut off: it cannot hold a slot forever. */
  public static final long DEFAULT_GREETING_TIMEOUT_NANOS = DoorConfig.DEFAULT_WRITE_TIMEOUT_NANOS;
  public static final int DEFAULT_MAX_GREETINGS_IN_FLIGHT = ServerSettings.DEFAULT_MAX_GREETINGS_IN_FLIGHT;
  public static final int DEFAULT_MAX_GRANTS = ServerSettings.DEFAULT_MAX_GRANTS;

  public ServerConfig {
    doors = List.copyOf(doors);
    String refusal = DoorList.refusal(doors);
    if (refusal != null) {
      throw new IllegalArgumentException(refusal);
    }
  }

  /**
   * Today's command line: one greet door named {@code default}, in plain mode with the default
   * scan guard, greeting timeout and bounds.
   */
  public static ServerConfig singleDoor(String interfaceName, KnockSequence sequence, long sequenceTimeoutNanos,
      int maxSources, int servicePort, long serviceTimeoutNanos, InetAddress bindAddress,
      String greeting, boolean anyDestination) {
    DoorConfig door = new DoorConfig(DoorConfig.DEFAULT_NAME,
        new DoorConfig.KnockRules(sequence, sequenceTimeoutNanos, ScanGuard.DEFAULT_DISTANCE, null),
        serviceTimeoutNanos, ActionKind.GREET, servicePort, bindAddress, greeting,
        DEFAULT_GREETING_TIMEOUT_NANOS, null, DoorConfig.DEFAULT_CONNECT_TIMEOUT_NANOS,
        DoorConfig.DEFAULT_MAX_CONNECTIONS, Commands.NONE, Sharing.NONE);
    ServerSettings settings = ServerSettings.defaults(interfaceName).withMaxSources(maxSources)
        .withAnyDestination(anyDestination);
    return new ServerConfig(settings, List.of(door));
  }

  /**
   * A config file's settings and doors, capturing on {@code interfaceName} (the command line's
   * {@code -i}, else the file's {@code interface}, else the default: the caller chooses).
   */
  public static ServerConfig of(Config file, String interfaceName) {
    ServerSettings settings = new ServerSettings(interfaceName, file.json(), file.quiet(), file.maxSources(),
        file.maxGrants(), file.captureBufferBytes(), file.anyDestination(), file.waitForInterface(), DEFAULT_MAX_GREETINGS_IN_FLIGHT,
        ServerSettings.NftMode.valueOf(file.nftables().name()), file.nftTable(), file.metrics(), file.fleet());
    return new ServerConfig(settings, file.doors());
  }

  public String interfaceName() {
    return settings.interfaceName();
  }

  /** The first door: the only one of a configuration from the command line. */
  public DoorConfig firstDoor() {
    return doors.get(0);
  }

  /** Every door in authenticated mode (for tests and the command line's one door). */
  public ServerConfig withAuth(AuthSettings auth) {
    return mapDoors(door -> door.withRules(door.rules().withAuth(auth)));
  }

  /** Every door with another scan guard distance (0: none). */
  public ServerConfig withScanGuard(int distance) {
    return mapDoors(door -> door.withRules(door.rules().withScanGuard(distance)));
  }

  /** Every door with another greeting timeout. */
  public ServerConfig withGreetingTimeout(long nanos) {
    return mapDoors(door -> door.withWriteTimeout(nanos));
  }

  /** Another bound on grants held at once, per door. */
  public ServerConfig withMaxGrants(int grants) {
    return new ServerConfig(settings.withMaxGrants(grants), doors);
  }

  /** The same settings with other doors, e.g. on reload. */
  public ServerConfig withDoors(List<DoorConfig> newDoors) {
    return new ServerConfig(settings, newDoors);
  }

  private ServerConfig mapDoors(java.util.function.UnaryOperator<DoorConfig> change) {
    return new ServerConfig(settings, doors.stream().map(change).toList());
  }

  /** The BPF filter for Ethernet frames: see {@link #captureFilter(int)}. */
  public String captureFilter() {
    return captureFilter(LinkType.ETHERNET);
  }

  /**
   * The BPF filter for a capture of {@code linkType}: it passes every frame the decoder could
   * turn into a datagram to any door's sequence ports or guard bands ({@link CaptureFilter}),
   * e.g. {@code (udp and (dst portrange 11901-12103)) or (ip6 and (ip6[6] == 0 or ...))}.
   */
  public String captureFilter(int linkType) {
    return captureFilter(doors, linkType);
  }

  /** The filter covering every door of {@code doors}: the union of their port ranges. */
  public static String captureFilter(List<DoorConfig> doors, int linkType) {
    List<int[]> ranges = new ArrayList<>();
    for (DoorConfig door : doors) {
      ranges.addAll(door.rules().guard().watchedPortRanges());
    }
    return CaptureFilter.of(linkType, ranges);
  }
}
