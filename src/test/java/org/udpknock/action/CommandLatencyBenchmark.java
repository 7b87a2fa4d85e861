package org.udpknock.action;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.udpknock.door.Commands;
import org.udpknock.server.Clock;

/**
 * Prints how long a door's {@code on_open} takes to start: from {@link CommandAction#opened} to
 * the process started ({@code /bin/true}, N times, one after another), and from {@code opened}
 * to the command running (its own wall-clock reading, {@code /bin/date +%s%N}), to compare with
 * knockd's fork + shell (~35-40 ms, notes/peers.md). Not a test. Run with
 *
 * <pre>
 * mvn -q -o test-compile
 * java -cp target/classes:target/test-classes org.udpknock.action.CommandLatencyBenchmark [runs]
 * </pre>
 */
public final class CommandLatencyBenchmark {
  private static final long SECOND = 1_000_000_000L;

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    measure("opened -> process started (/bin/true)", List.of("/bin/true"), runs, false);
    measure("opened -> command running (/bin/date +%s%N)", List.of("/bin/date", "+%s%N"), runs, true);
  }

  private static void measure(String label, List<String> command, int runs, boolean byOutput) throws Exception {
    BlockingQueue<long[]> done = new ArrayBlockingQueue<>(1);
    long[] startedAt = new long[1];
    CommandListener listener = new CommandListener() {
      @Override public void started(Command c, long pid) { startedAt[0] = System.nanoTime(); }
      @Override public void finished(Command c, int exit, String line, long nanos) {
        done.add(new long[] {startedAt[0], byOutput ? Long.parseLong(line) : 0});
      }
      @Override public void timedOut(Command c, String line, long nanos) { done.add(new long[] {-1, 0}); }
      @Override public void failedToStart(Command c, String why) { throw new IllegalStateException(why); }
      @Override public void dropped(Command c, String why) { throw new IllegalStateException(why); }
      @Override public void refused(String d, Command.Hook h, long hi, long lo, String why) {}
    };
    long[] micros = new long[runs];
    try (CommandRunner runner = CommandRunner.startDefault(listener)) {
      CommandAction door = new CommandAction("bench", 22, new Commands(command, List.of(), 10 * SECOND),
          new NoAction(), runner, listener, false);
      for (int i = -runs / 10; i < runs; i++) { // a tenth more first, to warm up
        long opened = System.nanoTime();
        long openedWall = Clock.SYSTEM.nowNanos();
        door.opened(0, 0xFFFF_0A00_0000L + (i & 0xFFFF) + 0x10000, 0);
        long[] result = done.poll(10, TimeUnit.SECONDS);
        door.closed(0, 0xFFFF_0A00_0000L + (i & 0xFFFF) + 0x10000);
        if (i >= 0) {
          micros[i] = (byOutput ? result[1] - openedWall : result[0] - opened) / 1000;
        }
      }
    }
    Arrays.sort(micros);
    System.out.printf("%s, %d runs: median %d us, p90 %d us, p99 %d us, max %d us%n", label, runs,
        micros[runs / 2], micros[runs * 9 / 10], micros[runs * 99 / 100], micros[runs - 1]);
  }
}
