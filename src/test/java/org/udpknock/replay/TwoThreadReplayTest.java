package org.udpknock.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.udpknock.auth.AuthPayload;
import org.udpknock.auth.AuthSettings;
import org.udpknock.auth.KnockKey;
import org.udpknock.auth.ServerId;
import org.udpknock.core.KnockSequence;
import org.udpknock.decode.LinkType;
import org.udpknock.door.DoorConfig;
import org.udpknock.door.DoorWiring;
import org.udpknock.fixtures.Packets;
import org.udpknock.pcapfile.CaptureFileException;
import org.udpknock.pcapfile.CaptureFileReader;
import org.udpknock.pcapfile.PcapWriter;
import org.udpknock.pipeline.DestinationFilter;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.report.EventWriter;
import org.udpknock.report.Totals;

/**
 * Replay on two threads (reading and decoding on one, the doors and events on the other) must
 * print exactly what one thread prints: the same events, in the same order, with the same times
 * and summary. Random captures cover what moves events between datagrams: expiry by the purge,
 * eviction from a small table, guard hits and blocks, two doors sharing a port, frames that are
 * no datagram, time going back, two files of different time precision, more datagrams than a
 * batch holds, input read in small pieces (each piece hands its batch over), a file that
 * breaks in the middle, and an authenticated door, which reads the payloads (valid, replayed
 * and garbled ones).
 */
class TwoThreadReplayTest {
  private static final long T0 = 1_795_000_000_000_000_000L;
  private static final AuthSettings AUTH = new AuthSettings(new KnockKey(new byte[KnockKey.LENGTH]),
      ServerId.of("two-threads"), AuthSettings.DEFAULT_MAX_SKEW_NANOS, AuthSettings.DEFAULT_MAX_AHEAD_NANOS, 4096);
  private static final int[] PORTS = {12001, 12002, 12003, 12001, 12002, 12003, 12000, 12004, 12050, 40000};

  @ParameterizedTest(name = "seed {0}, json {1}, quiet {2}, max sources {3}, read in pieces {4}, authenticated {5}")
  @CsvSource({
      "1, false, false, 50, false, false",
      "2, false, true, 50, false, false",
      "3, true, false, 1000, false, false",
      "4, false, false, 20, true, false",
      "5, true, true, 100000, true, false",
      "6, false, false, 1000, false, false",
      "7, false, false, 1000, false, true",
      "8, true, false, 50, true, true"})
  void twoThreadsPrintWhatOneThreadPrints(long seed, boolean json, boolean quiet, int maxSources, boolean inPieces,
      boolean authenticated) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    List<byte[]> captures = List.of(capture(random, 12_000, false, false, authenticated),
        capture(random, 8_000, true, seed == 6, authenticated));

    String oneThread = replay(captures, false, json, quiet, maxSources, inPieces, authenticated);
    String twoThreads = replay(captures, true, json, quiet, maxSources, inPieces, authenticated);
    if (authenticated) {
      assertTrue(oneThread.lines().anyMatch(line -> line.contains("granted") && line.contains("other")),
          "no authenticated grant to compare");
      assertTrue(oneThread.contains("rejected"), "no refused knock to compare");
    }

    assertTrue(oneThread.lines().count() > (quiet ? 10 : 1000), "too few events to compare: " + oneThread.lines().count());
    assertEquals(oneThread, twoThreads);
  }

  /** A replay as {@code udpknock replay} runs it: two doors, events, the end's blocked summary and totals. */
  private static String replay(List<byte[]> captures, boolean twoThreads, boolean json, boolean quiet, int maxSources,
      boolean inPieces, boolean authenticated) throws IOException {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text);
    EventWriter events = EventWriter.create(json, out);
    DoorConfig other = DoorConfig.defaultDoor().named("other").withRules(
        new DoorConfig.KnockRules(KnockSequence.of(12003, 12001), 2_000_000_000L, 0, authenticated ? AUTH : null));
    List<DoorConfig> doors = List.of(DoorConfig.defaultDoor(), other);
    FramePipeline pipeline = FramePipeline.of(doors, events,
        DoorWiring.replay(DoorWiring.share(maxSources, doors.size()), Long.MIN_VALUE, quiet), DestinationFilter.ANY);
    Replayer[] replayer = new Replayer[1];
    List<CaptureFileReader> readers = new ArrayList<>();
    for (byte[] capture : captures) {
      InputStream in = new ByteArrayInputStream(capture);
      readers.add(CaptureFileReader.open(inPieces ? inPieces(in, () -> replayer[0]) : in, "capture"));
    }
    replayer[0] = new Replayer(pipeline, events, out::flush, twoThreads);
    try {
      replayer[0].replay(readers);
    } catch (CaptureFileException e) {
      out.println("failed: " + e.getMessage());
    }
    events.finishBlocked(pipeline.lastTimeNanos());
    events.summary(Totals.ofReplay(pipeline), pipeline.frames() > 0, pipeline.lastTimeNanos());
    out.flush();
    return text.toString();
  }

  /** At most 700 bytes a read, each read preceded by the replayer's beforeRead, as ReplayInputs does. */
  private static InputStream inPieces(InputStream in, java.util.function.Supplier<Replayer> replayer) {
    return new FilterInputStream(in) {
      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        if (replayer.get() != null) {
          replayer.get().beforeRead();
        }
        return super.read(buffer, offset, Math.min(length, 700));
      }
    };
  }

  /** Random knocks from a few hundred sources, with noise, gaps past the timeout, and time going back. */
  private static byte[] capture(SplittableRandom random, int packets, boolean nanosecond, boolean broken,
      boolean authenticated) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PcapWriter writer = new PcapWriter(bytes, LinkType.ETHERNET, nanosecond, ByteOrder.LITTLE_ENDIAN, 65535);
    long time = T0;
    for (int i = 0; i < packets; i++) {
      time += random.nextInt(100) < 2 ? 6_000_000_000L : random.nextLong(-1_000_000L, 40_000_000L);
      byte[] frame = frame(random, authenticated ? time : null);
      int captured = random.nextInt(100) == 0 ? random.nextInt(frame.length) : frame.length;
      writer.write(time, frame, 0, captured, frame.length);
    }
    writer.flush();
    if (broken) { // a record header claiming 1 GiB: the reader stops there with an error
      bytes.write(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0x40});
    }
    return bytes.toByteArray();
  }

  /** A random frame; with {@code authTime}, a third of the knocks carry a payload signed for the other door then. */
  private static byte[] frame(SplittableRandom random, Long authTime) {
    int port = PORTS[random.nextInt(PORTS.length)];
    int host = random.nextInt(300);
    if (random.nextInt(50) == 0) {
      byte[] source = Packets.address("10.0.1." + host % 250);
      byte[] destination = Packets.address("10.9.9.9");
      return Packets.ethernet(Packets.ipv4(source, destination, Packets.PROTO_TCP,
          Packets.tcpSyn(source, destination, 40000, port)));
    }
    String source = host < 270 ? "10.0." + host / 250 + "." + host % 250 : "2001:db8::" + Integer.toHexString(host);
    String destination = host < 270 ? "10.9.9.9" : "2001:db8::9";
    byte[] payload = new byte[random.nextInt(4)];
    random.nextBytes(payload);
    if (authTime != null && (port == 12003 || port == 12001) && random.nextInt(3) == 0) {
      byte[] nonce = new byte[16];
      nonce[0] = (byte) random.nextInt(random.nextInt(10) == 0 ? 4 : 256); // some nonces come again: replayed
      nonce[1] = (byte) random.nextInt(256);
      payload = AuthPayload.encode(AUTH.key(), AUTH.serverId(), port == 12003 ? 1 : 2, authTime, nonce);
    }
    return Packets.ethernet(Packets.udpKnock(source, destination, 40000, port, payload));
  }
}
