package org.udpknock.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.udpknock.pcapfile.CaptureFileReader;
import org.udpknock.pcapfile.Frame;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.report.EventWriter;

/**
 * Replays capture files through the pipeline as one stream, in the order given: the engine
 * keeps its state from one file to the next, as if the captures had been one.
 */
public final class Replayer {
  private final FramePipeline pipeline;
  private final EventWriter events;
  private final Frame frame = new Frame();

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

  private void replay(CaptureFileReader reader) throws IOException {
    while (reader.next(frame)) {
      events.setTimeDigits(frame.timeDigits);
      pipeline.onFrame(frame.timeNanos, frame.linkType, frame.data, 0, frame.capturedLength);
    }
  }
}
