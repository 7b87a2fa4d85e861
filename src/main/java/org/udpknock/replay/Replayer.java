package org.udpknock.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.udpknock.decode.LinkKind;
import org.udpknock.pcapfile.CaptureFileReader;
import org.udpknock.pcapfile.Frame;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.pipeline.Ingress;
import org.udpknock.report.EventWriter;

/**
 * Replays capture files through the pipeline as one stream, in the order given: the engine
 * keeps its state from one file to the next, as if the captures had been one.
 */
public final class Replayer {
  private final FramePipeline pipeline;
  private final EventWriter events;
  private final Frame frame = new Frame();
  private Ingress ingress = Ingress.UNKNOWN;

  public Replayer(FramePipeline pipeline, EventWriter events) {
    this.pipeline = pipeline;
    this.events = events;
  }

  /** Replays every file; stops at the first file that cannot be read. */
  public void replay(List<Path> files) throws IOException {
    for (Path file : files) {
      try (CaptureFileReader reader = CaptureFileReader.open(file)) {
        replay(reader);
      }
    }
  }

  /**
   * A file names no interface index: link-local addresses are scoped by the pcapng interface id
   * (0 in pcap files), unless a LINUX_SLL2 header gives the index. Whether the interface is
   * loopback, and its VLANs, are unknown: the capture counts as it shows them.
   */
  private Ingress ingressOf(Frame frame) {
    if (ingress.index() != frame.interfaceId) {
      ingress = new Ingress(frame.interfaceId, null, LinkKind.UNKNOWN);
    }
    return ingress;
  }

  private void replay(CaptureFileReader reader) throws IOException {
    while (reader.next(frame)) {
      events.setTimeDigits(frame.timeDigits);
      pipeline.onFrame(frame.timeNanos, frame.linkType, ingressOf(frame), frame.data, 0, frame.capturedLength);
    }
  }
}
