package org.udpknock.replay;

import java.io.IOException;
import java.util.List;
import org.udpknock.pcapfile.CaptureFileReader;
import org.udpknock.pcapfile.Frame;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.report.EventWriter;

/**
 * Replays captures through the pipeline as one stream, in the order given: the engine keeps its
 * state from one capture to the next, as if they had been one.
 */
public final class Replayer {
  private final FramePipeline pipeline;
  private final EventWriter events;
  private final Frame frame = new Frame();

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

  private void replay(CaptureFileReader reader) throws IOException {
    while (reader.next(frame)) {
      events.setTimeDigits(frame.timeDigits);
      pipeline.onFrame(frame.timeNanos, frame.linkType, frame.data, 0, frame.capturedLength);
    }
  }
}
