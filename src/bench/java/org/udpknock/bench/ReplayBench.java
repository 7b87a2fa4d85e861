package org.udpknock.bench;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.List;
import org.udpknock.door.DoorConfig;
import org.udpknock.door.DoorWiring;
import org.udpknock.pcapfile.CaptureFileReader;
import org.udpknock.pipeline.DestinationFilter;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.replay.Replayer;
import org.udpknock.report.EventWriter;

/**
 * The whole replay of a capture (reading, decoding, the default door, --quiet events into
 * nothing), in process, ROUNDS times with a fresh pipeline each, so that the JIT's warm-up (the
 * first round) and the steady state (the later ones) show apart. Prints each round's wall time
 * and the delivering thread's CPU time.
 * Usage: java -cp target/udpknock.jar:target/udpknock-bench.jar org.udpknock.bench.ReplayBench FILE [ROUNDS [quiet|text|json]]
 */
public final class ReplayBench {
  private ReplayBench() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    String mode = args.length > 2 ? args[2] : "quiet";
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    for (int r = 0; r < rounds; r++) {
      PrintWriter out = new PrintWriter(OutputStream.nullOutputStream());
      EventWriter events = EventWriter.create(mode.equals("json"), out);
      DoorWiring wiring = DoorWiring.replay(1_000_000, Long.MIN_VALUE, mode.equals("quiet"));
      FramePipeline pipeline = FramePipeline.of(List.of(DoorConfig.defaultDoor()), events, wiring,
          DestinationFilter.ANY);
      long wall = System.nanoTime();
      long cpu = threads.getCurrentThreadCpuTime();
      try (CaptureFileReader reader = CaptureFileReader.open(file)) {
        new Replayer(pipeline, events, out::flush, !Boolean.getBoolean("oneThread")).replay(List.of(reader));
      }
      out.flush();
      System.out.printf("round %d: %d ms wall, %d ms delivering thread CPU, %d frames%n", r + 1,
          (System.nanoTime() - wall) / 1_000_000, (threads.getCurrentThreadCpuTime() - cpu) / 1_000_000,
          pipeline.frames());
    }
  }
}
