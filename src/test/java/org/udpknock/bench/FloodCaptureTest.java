package org.udpknock.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.core.KnockSequence;
import org.udpknock.pcapfile.CaptureFileReader;
import org.udpknock.pcapfile.Frame;

/** The eviction benchmark's capture: the valid sources' attempts under way around all the noise. */
class FloodCaptureTest {
  private static final int SOURCE = 14 + 12;
  private static final int PORT = 14 + 20 + 2;

  @Test
  void validAroundNoiseSendsLastKnocksAfterAllTheNoise(@TempDir Path dir) throws IOException {
    Path capture = dir.resolve("evict.pcap");
    FloodCapture.Expected expected = new FloodCapture(KnockSequence.DEFAULT, 4, 2, 4, 205_000,
        FloodCapture.Noise.FIRST_KNOCKS, FloodCapture.Valid.AROUND_NOISE, 1).write(capture);

    assertEquals(List.of(
        "127.200.0.0:12001", "127.200.0.0:12002", "127.200.0.1:12001", "127.200.0.1:12002",
        "127.1.0.0:12001", "127.1.0.1:12001", "127.1.0.2:12001", "127.1.0.3:12001",
        "127.200.0.0:12003", "127.200.0.1:12003"), sourcesAndPorts(capture));
    assertEquals(2, expected.validGranted(), "the uncapped model grants both: the capture is fair");
  }

  private static List<String> sourcesAndPorts(Path capture) throws IOException {
    List<String> packets = new ArrayList<>();
    Frame frame = new Frame();
    try (CaptureFileReader reader = CaptureFileReader.open(capture)) {
      while (reader.next(frame)) {
        byte[] d = frame.bytes();
        packets.add((d[SOURCE] & 0xFF) + "." + (d[SOURCE + 1] & 0xFF) + "." + (d[SOURCE + 2] & 0xFF)
            + "." + (d[SOURCE + 3] & 0xFF) + ":" + ((d[PORT] & 0xFF) << 8 | (d[PORT + 1] & 0xFF)));
      }
    }
    return packets;
  }
}
