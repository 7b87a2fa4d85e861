package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ScanGuard;
import org.udpknock.report.EventWriter;

/** The start-up warning about sequences a sweep completes, checked in-process with a fake source. */
class SweepWarningTest {

  @Test
  void theDefaultSequenceIsWarnedAboutAtStartWithAConcreteBetterOne() throws Exception {
    String log = startAndStop(KnockSequence.DEFAULT, false);
    List<String> warnings = log.lines().filter(line -> line.contains(" warning ")).toList();
    assertEquals(1, warnings.size(), log);
    String warning = warnings.get(0);
    assertTrue(warning.contains("12001,12002,12003 is contiguous"), warning);
    assertTrue(warning.contains("starts on 12001"), warning);
    String example = warning.replaceAll(".*--sequence ([0-9,]+)\\.$", "$1");
    KnockSequence better = KnockSequence.of(java.util.Arrays.stream(example.split(","))
        .mapToInt(Integer::parseInt).toArray());
    assertFalse(ScanGuard.sweepCompletes(better), "the example must not be sweepable: " + example);
    assertTrue(log.contains("filter (udp and (dst portrange 11901-12103)) or (ip6 and "), log);
  }

  @Test
  void descendingAndOnePortSequencesAreWarnedAboutToo() throws Exception {
    assertTrue(startAndStop(KnockSequence.of(5003, 5002, 5001), false).contains(" warning "));
    String onePort = startAndStop(KnockSequence.of(4000), true);
    assertTrue(onePort.contains("\"event\":\"warning\""), onePort);
    assertTrue(onePort.contains("one-port sequence 4000"), onePort);
  }

  /** Regression: 12001,12001,12001 got no warning, though any three datagrams to 12001 open it. */
  @Test
  void aSequenceOfOnePortRepeatedIsWarnedAbout() throws Exception {
    String log = startAndStop(KnockSequence.of(12001, 12001, 12001), false);
    List<String> warnings = log.lines().filter(line -> line.contains(" warning ")).toList();
    assertEquals(1, warnings.size(), log);
    assertTrue(warnings.get(0).contains("12001,12001,12001 is one port repeated, so any 3 datagrams to port"
        + " 12001 complete it"), warnings.get(0));
    assertFalse(startAndStop(KnockSequence.of(12001, 15001, 12001), false).contains(" warning "));
  }

  @Test
  void aSequenceFarApartAndOutOfOrderIsNotWarnedAbout() throws Exception {
    String log = startAndStop(KnockSequence.of(15218, 12912, 17484), false);
    assertFalse(log.contains(" warning "), log);
    assertTrue(log.contains("dst portrange 12812-13012 or dst port 15218 or dst portrange 17384-17584"), log);
  }

  private static String startAndStop(KnockSequence sequence, boolean json) throws Exception {
    ServerConfig config = ServerConfig.singleDoor("fake0", sequence, 5 * LiveHarness.SECOND, 10, 0,
        LiveHarness.SECOND, null, ServerConfig.DEFAULT_GREETING, true);
    StringWriter log = new StringWriter();
    EventWriter writer = EventWriter.create(json, new PrintWriter(log, true));
    new KnockServer(config, new EmptySource(config.captureFilter()), writer, Clock.SYSTEM).run("EN10MB");
    writer.flush();
    return log.toString();
  }

  /** A capture that delivers nothing and ends at once. */
  private record EmptySource(String filter) implements PacketSource {
    @Override
    public String interfaceName() {
      return "fake0";
    }

    @Override
    public int linkType() {
      return 1;
    }

    @Override
    public void run(FrameSink sink) {}

    @Override
    public void stop() {}

    @Override
    public CaptureStats stats() {
      return new CaptureStats(0, 0);
    }

    @Override
    public void close() {}
  }
}
