package org.udpknock.replay;

import java.io.IOException;
import java.util.List;
import org.udpknock.decode.LinkKind;
import org.udpknock.pcapfile.CaptureFileReader;
import org.udpknock.pcapfile.Frame;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.pipeline.Ingress;
import org.udpknock.report.EventWriter;

/**
 * Replays captures through the pipeline as one stream, in the order given: the engine keeps its
 * state from one capture to the next, as if they had been one.
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

  /** Replays every capture, opened already; stops at the first that breaks. Closes none. */
  public void replay(List<CaptureFileReader> readers) throws IOException {
    for (CaptureFileReader reader : readers) {
      replay(reader);
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
