package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.udpknock.decode.DecodeOutcome;
import org.udpknock.door.Door;
import org.udpknock.door.DoorConfig;
import org.udpknock.pipeline.FramePipeline;

/** The warm-up runs the capture thread's real path: its frames decode as UDP and complete each door's sequence. */
class WarmupTest {
  @Test
  void theWarmUpFramesAreKnocksThatTheDefaultDoorGrants() {
    DoorConfig door = DoorConfig.defaultDoor();
    FramePipeline pipeline = Warmup.warmPipeline(List.of(door), new PrintWriter(Writer.nullWriter()));
    int ports = door.rules().sequence().length();
    assertEquals(pipeline.frames(), pipeline.count(DecodeOutcome.UDP), "every frame decodes as UDP");
    Door warmed = pipeline.doors().get(0);
    assertEquals(pipeline.frames(), warmed.engine().knocks(), "every frame is a knock of the door");
    assertEquals(pipeline.frames() / ports, warmed.engine().grants(), "every round is granted");
  }
}
