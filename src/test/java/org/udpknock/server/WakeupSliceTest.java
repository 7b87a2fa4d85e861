package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The slice the kernel reports for a thread (/proc/thread-self/sched, Linux 6.12 and later)
 * after {@link WakeupSlice#shortenForCallingThread()}: the calling thread's only, and never a
 * thread that someone put in another policy.
 */
class WakeupSliceTest {
  private final ExecutorService thread = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() {
    thread.shutdownNow();
  }

  @Test
  void theCallingThreadGetsTheShortSliceAndKeepsItsPriority() throws Exception {
    assumeSlicesReported();
    String othersBefore = schedField(Path.of("/proc/self/task", String.valueOf(ProcessHandle.current().pid())), "se.slice");
    String[] after = on(() -> {
      String priority = schedField(Path.of("/proc/thread-self"), "prio");
      boolean shortened = WakeupSlice.shortenForCallingThread();
      return new String[] {String.valueOf(shortened), priority, schedField(Path.of("/proc/thread-self"), "prio"),
          schedField(Path.of("/proc/thread-self"), "se.slice")};
    });
    assertEquals("true", after[0]);
    assertEquals(after[1], after[2], "its nice level is kept");
    assertEquals(String.valueOf(WakeupSlice.SLICE_NANOS), after[3]);
    assertEquals(othersBefore, schedField(Path.of("/proc/self/task", String.valueOf(ProcessHandle.current().pid())), "se.slice"),
        "the process's main thread is left as it was");
  }

  @Test
  void anIdleThreadIsLeftIdle() throws Exception {
    assumeSlicesReported();
    String[] after = on(() -> {
      String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
      Process chrt = new ProcessBuilder("chrt", "--idle", "--pid", "0", tid).inheritIO().start();
      assertEquals(0, chrt.waitFor(), "chrt could not make the thread idle");
      String before = Files.readString(Path.of("/proc/thread-self/sched"));
      return new String[] {String.valueOf(WakeupSlice.shortenForCallingThread()),
          schedField(Path.of("/proc/thread-self"), "policy"), before, Files.readString(Path.of("/proc/thread-self/sched"))};
    });
    assertFalse(Boolean.parseBoolean(after[0]));
    assertEquals("5", after[1], "SCHED_IDLE is kept");
    // An idle thread's slice is not reported (Linux 6.18): what is must not have changed.
    assertEquals(sliceLine(after[2]), sliceLine(after[3]), "its slice is kept");
  }

  private <T> T on(Callable<T> work) throws Exception {
    return thread.submit(work).get();
  }

  /** Linux 6.12 took a thread's own slice; /proc reports it since 6.6. */
  private static void assumeSlicesReported() throws IOException {
    Matcher version = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(System.getProperty("os.version"));
    boolean taken = "Linux".equals(System.getProperty("os.name")) && version.find()
        && Integer.parseInt(version.group(1)) * 1000 + Integer.parseInt(version.group(2)) >= 6012;
    Assumptions.assumeTrue(taken && Files.readString(Path.of("/proc/thread-self/sched")).contains("se.slice"),
        "this kernel takes no slice of a thread's own (Linux before 6.12): nothing to check");
  }

  /** The se.slice line of a sched file's text, or "" where the kernel leaves it out. */
  private static String sliceLine(String sched) {
    return sched.lines().filter(line -> line.startsWith("se.slice")).findFirst().orElse("");
  }

  /** A field of /proc's sched file, e.g. "se.slice : 100000". */
  static String schedField(Path thread, String name) throws IOException {
    for (String line : Files.readAllLines(thread.resolve("sched"))) {
      String[] parts = line.split(":");
      if (parts.length == 2 && parts[0].trim().equals(name)) {
        return parts[1].trim();
      }
    }
    throw new AssertionError(thread + "/sched has no " + name);
  }
}
