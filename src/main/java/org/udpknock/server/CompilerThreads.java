package org.udpknock.server;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lets the JIT compile only on a CPU that nothing else wants, once the server listens. The JIT's
 * compiler threads then run in SCHED_IDLE: any other thread that wakes, the capture thread woken
 * by a knock first, takes the CPU from them at once. At normal policy, a compile started by a
 * method's threshold ran in the middle of a grant: Linux's scheduler (EEVDF) let the compiler run
 * on while the woken thread waited for its turn (about 1 ms; the short slice of
 * {@link WakeupSlice} does not give a thread that turn). The open path is compiled by the
 * warm-ups before 'listening', at normal policy: what is left to compile is code that live traffic
 * reaches first, which waits for an idle moment. On a CPU that other work keeps busy, that code
 * stays interpreted longer, and only that. No privilege is needed to lower a thread of one's
 * own; compiler threads the JVM adds later are made by its compiler threads, and inherit the policy.
 */
final class CompilerThreads {
  private static final Path TASKS = Path.of("/proc/self/task");

  private CompilerThreads() {}

  /**
   * Puts each compiler thread of a normal policy in SCHED_IDLE; returns how many it did. None
   * where the kernel or JNA cannot (see {@link SchedAttr}); threads of another policy (set by
   * whoever started the server) are left as they are.
   */
  static int compileWhenIdle() {
    if (!SchedAttr.available()) {
      return 0;
    }
    int lowered = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        if (isCompiler(task) && lower(Long.parseLong(task.getFileName().toString()))) {
          lowered++;
        }
      }
    } catch (IOException | LinkageError e) {
      // No /proc or no JNA: the JIT runs as before.
    }
    return lowered;
  }

  /** HotSpot names them "C1 CompilerThread0" and so on; the kernel keeps 15 characters. */
  static boolean isCompiler(Path task) {
    try {
      String name = Files.readString(task.resolve("comm"));
      return name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre");
    } catch (IOException e) {
      return false; // The thread ended meanwhile.
    }
  }

  private static boolean lower(long tid) {
    SchedAttr attr = SchedAttr.of(tid);
    return attr != null && attr.isNormalPolicy() && SchedAttr.ofPolicy(SchedAttr.SCHED_IDLE).applyTo(tid);
  }
}
