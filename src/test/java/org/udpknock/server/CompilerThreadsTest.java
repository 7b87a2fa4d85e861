package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The policies the kernel reports (/proc/self/task/TID/sched) after
 * {@link CompilerThreads#compileWhenIdle()}: SCHED_IDLE for this JVM's compiler threads, and no
 * other thread touched. The compilers are put back afterwards, for the tests after this one.
 */
class CompilerThreadsTest {
  private static final Path TASKS = Path.of("/proc/self/task");

  @AfterEach
  void putTheCompilersBack() throws IOException {
    for (Path task : compilers()) {
      SchedAttr.ofPolicy(SchedAttr.SCHED_OTHER).applyTo(Long.parseLong(task.getFileName().toString()));
    }
  }

  @Test
  void theCompilerThreadsAreIdleAndNoOtherThreadIs() throws IOException {
    assumeLinuxCalls();
    assertFalse(compilers().isEmpty(), "this JVM runs the JIT (no -Xint), so it has compiler threads");
    Map<Path, String> othersBefore = policies(others());

    assertTrue(CompilerThreads.compileWhenIdle() > 0);

    // Listed again: the JVM adds and ends compiler threads as its queue grows and empties.
    for (Path task : compilers()) {
      assertEquals(String.valueOf(SchedAttr.SCHED_IDLE), policy(task), task + " (" + Files.readString(task.resolve("comm")).strip() + ")");
    }
    Map<Path, String> othersAfter = policies(others());
    othersBefore.keySet().retainAll(othersAfter.keySet());
    othersAfter.keySet().retainAll(othersBefore.keySet());
    assertFalse(othersBefore.isEmpty());
    assertEquals(othersBefore, othersAfter, "the other threads keep their policies");
  }

  @Test
  void aCompilerThreadInARealTimePolicyIsLeftAsItIs() throws Exception {
    assumeLinuxCalls();
    ProcessLines.skipUnlessRootOrCi("CompilerThreadsTest.aCompilerThreadInARealTimePolicyIsLeftAsItIs",
        "a real-time policy needs root (run as root, or set CI to make this a failure)");
    Path first = compilers().get(0);
    Process chrt = new ProcessBuilder("chrt", "--fifo", "--pid", "1", first.getFileName().toString()).inheritIO().start();
    assertEquals(0, chrt.waitFor(), "chrt could not make the compiler thread real-time");

    CompilerThreads.compileWhenIdle();

    assertEquals("1", policy(first), "SCHED_FIFO is kept");
  }

  @Test
  void aThreadOfAnotherNameIsNoCompiler() throws IOException {
    Path task = TASKS.resolve(String.valueOf(ProcessHandle.current().pid()));
    Assumptions.assumeTrue(Files.isDirectory(task), "no /proc here: nothing to check");
    assertFalse(CompilerThreads.isCompiler(task), "the JVM's main thread");
    assertFalse(CompilerThreads.isCompiler(TASKS.resolve("0")), "a thread that ended");
  }

  private static List<Path> compilers() throws IOException {
    try (Stream<Path> tasks = Files.list(TASKS)) {
      return tasks.filter(CompilerThreads::isCompiler).sorted().toList();
    }
  }

  private static List<Path> others() throws IOException {
    try (Stream<Path> tasks = Files.list(TASKS)) {
      return tasks.filter(task -> !CompilerThreads.isCompiler(task)).sorted().toList();
    }
  }

  /** Each thread's policy, but for those that ended meanwhile (the JVM's own come and go). */
  private static Map<Path, String> policies(List<Path> tasks) {
    Map<Path, String> policies = new HashMap<>();
    for (Path task : tasks) {
      try {
        policies.put(task, policy(task));
      } catch (IOException e) {
        // Ended.
      }
    }
    return policies;
  }

  private static void assumeLinuxCalls() {
    Assumptions.assumeTrue(SchedAttr.available() && Files.isDirectory(TASKS), "not x86-64 or arm64 Linux: nothing to check");
  }

  private static String policy(Path task) throws IOException {
    return WakeupSliceTest.schedField(task, "policy");
  }
}
