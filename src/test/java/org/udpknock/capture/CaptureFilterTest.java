package org.udpknock.capture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;
import org.udpknock.core.KnockSequence;
import org.udpknock.decode.Datagram;
import org.udpknock.decode.DecodeOutcome;
import org.udpknock.decode.FrameDecoder;
import org.udpknock.decode.LinkType;
import org.udpknock.pcapfile.CaptureFileReader;
import org.udpknock.pcapfile.Frame;
import org.udpknock.server.ServerConfig;

/**
 * The server's BPF filter, compiled by libpcap for each capture's link type, passes every frame
 * of {@code pcaps/} that the decoder turns into a datagram to a port the server watches: the
 * filter in the kernel never hides what replay of the same capture would count.
 */
class CaptureFilterTest {
  private final Map<Integer, BpfProgram> programs = new HashMap<>();
  private final Map<Integer, PcapHandle> handles = new HashMap<>();

  static Stream<Path> captures() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("pcaps"))) {
      List<Path> found = files.filter(f -> f.toString().endsWith(".pcap") || f.toString().endsWith(".pcapng"))
          .sorted().collect(Collectors.toList());
      return found.stream();
    }
  }

  @AfterEach
  void free() {
    programs.values().forEach(BpfProgram::free);
    handles.values().forEach(PcapHandle::close);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("captures")
  void everyDatagramTheDecoderCountsPassesTheFilter(Path capture) throws Exception {
    ServerConfig config = configFor(capture);
    List<int[]> watched = config.firstDoor().rules().guard().watchedPortRanges();
    Datagram datagram = new Datagram();
    Frame frame = new Frame();
    int checked = 0;
    try (CaptureFileReader reader = CaptureFileReader.open(capture)) {
      for (int number = 1; reader.next(frame); number++) {
        byte[] bytes = frame.bytes();
        if (!isLinuxLive(frame.linkType)
            || FrameDecoder.decode(frame.linkType, bytes, 0, bytes.length, datagram) != DecodeOutcome.UDP
            || !isWatched(watched, datagram.destinationPort)) {
          continue;
        }
        checked++;
        assertTrue(program(config, frame.linkType).applyFilter(bytes),
            capture + " frame " + number + " (link type " + frame.linkType + ", port "
                + datagram.destinationPort + ") is dropped by " + config.captureFilter(frame.linkType));
      }
    }
    System.out.println(capture + ": " + checked + " datagrams passed the filter");
  }

  /**
   * The server captures on Linux, where libpcap never gives BSD loopback framing (NULL, LOOP):
   * those captures are replay-only, and are not checked here.
   */
  private static boolean isLinuxLive(int linkType) {
    return linkType != LinkType.NULL && linkType != LinkType.LOOP;
  }

  /** Linux's libpcap numbers raw IP DLT 12 whatever number the file uses for it. */
  private static int linuxDlt(int linkType) {
    return linkType == LinkType.RAW || linkType == LinkType.RAW_DLT14 ? LinkType.RAW_DLT12 : linkType;
  }

  private static boolean isWatched(List<int[]> ranges, int port) {
    return ranges.stream().anyMatch(range -> range[0] <= port && port <= range[1]);
  }

  private BpfProgram program(ServerConfig config, int linkType) throws Exception {
    BpfProgram program = programs.get(linkType);
    if (program == null) {
      PcapHandle dead = Pcaps.openDead(DataLinkType.getInstance(linuxDlt(linkType)), 65535);
      handles.put(linkType, dead);
      program = dead.compileFilter(config.captureFilter(linkType), BpfCompileMode.OPTIMIZE,
          (java.net.Inet4Address) java.net.InetAddress.getByName("0.0.0.0"));
      programs.put(linkType, program);
    }
    return program;
  }

  /** The sequence and guard the capture's events file replays it with (its {@code # args:} line). */
  private static ServerConfig configFor(Path capture) throws IOException {
    String name = capture.getFileName().toString();
    Path events = capture.resolveSibling(name.substring(0, name.lastIndexOf('.')) + ".events");
    List<String> args = Files.readAllLines(events).stream().filter(l -> l.startsWith("# args:"))
        .flatMap(l -> Arrays.stream(l.substring("# args:".length()).trim().split(" +"))).collect(Collectors.toList());
    KnockSequence sequence = KnockSequence.DEFAULT;
    int guard = 100;
    for (int i = 0; i + 1 < args.size(); i++) {
      if (args.get(i).equals("--sequence")) {
        sequence = KnockSequence.of(Arrays.stream(args.get(i + 1).split(",")).mapToInt(Integer::parseInt).toArray());
      } else if (args.get(i).equals("--scan-guard")) {
        guard = Integer.parseInt(args.get(i + 1));
      }
    }
    return ServerConfig.singleDoor("any", sequence, 5_000_000_000L, 1000, 2223, 30_000_000_000L, null,
        ServerConfig.DEFAULT_GREETING, false).withScanGuard(guard);
  }

  /** Several doors: the filter passes every door's ports and guard bands, merged where they meet. */
  @Test
  void theFilterOfSeveralDoorsIsTheUnionOfTheirPortRanges() {
    org.udpknock.door.DoorConfig hello = org.udpknock.door.DoorConfig.defaultDoor();
    org.udpknock.door.DoorConfig ssh = hello.named("ssh").withRules(new org.udpknock.door.DoorConfig.KnockRules(
        KnockSequence.of(15218, 12912, 17484), 5_000_000_000L, 0, null));
    org.udpknock.door.DoorConfig near = hello.named("near").withRules(new org.udpknock.door.DoorConfig.KnockRules(
        KnockSequence.of(12104, 12200), 5_000_000_000L, 0, null));
    String filter = ServerConfig.captureFilter(List.of(hello, ssh, near), org.udpknock.decode.LinkType.RAW);
    assertTrue(filter.startsWith("(udp and (dst portrange 11901-12104 or dst port 12200 or dst port 12912"
        + " or dst port 15218 or dst port 17484)) or (ip6 and ("), filter);
  }
}
