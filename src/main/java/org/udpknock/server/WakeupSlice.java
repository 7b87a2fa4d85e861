package org.udpknock.server;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * Asks Linux to run the calling thread soon after it wakes. Linux's scheduler (EEVDF) lets the
 * thread on a CPU finish its slice (1.4 ms on 2 CPUs) before a thread woken there of the same nice
 * level runs, unless the woken one asked for a shorter slice (Linux 6.12 and later): then it
 * preempts at once. That is the open path's case: a knock wakes the capture thread, and its grant
 * the nftables worker or the action and listener threads, while C1's compiler threads or a
 * greeting run on the one CPU. Only the slice changes: the policy and nice level stay the
 * thread's, and so does its share of CPU; no privilege is needed. Elsewhere (an older kernel,
 * which ignores the field; not x86-64 or arm64 Linux) it does nothing.
 */
public final class WakeupSlice {
  /** The kernel's shortest slice (0.1 ms): the open path's work between two waits is shorter. */
  static final long SLICE_NANOS = 100_000;

  /** struct sched_attr up to sched_period (SCHED_ATTR_SIZE_VER0). */
  private static final int ATTR_SIZE = 48;
  private static final int POLICY_OFFSET = 4;
  private static final int RUNTIME_OFFSET = 24;
  private static final int SCHED_OTHER = 0;
  private static final int SCHED_BATCH = 3;

  private static final Calls CALLS = Calls.forArch(System.getProperty("os.arch"));

  private WakeupSlice() {}

  /** The system call numbers of this architecture (Debian 12's C library wraps neither). */
  private record Calls(long getAttr, long setAttr) {
    static Calls forArch(String arch) {
      if (!"Linux".equals(System.getProperty("os.name"))) {
        return null;
      }
      return switch (arch) {
        case "amd64", "x86_64" -> new Calls(315, 314);
        case "aarch64" -> new Calls(275, 274);
        default -> null;
      };
    }
  }

  /** Bound at the first use (JNA's direct mapping, as LibNftables). */
  private static final class Libc {
    static {
      Native.register(Libc.class, NativeLibrary.getInstance("c"));
    }

    /** pid 0: the calling thread. */
    static native long syscall(long number, long pid, Memory attr, long size, long flags);
  }

  /**
   * Shortens the calling thread's slice; true if the kernel took it. False, and nothing changed,
   * when it cannot: another policy than the normal ones, a kernel without the call, no JNA.
   */
  public static boolean shortenForCallingThread() {
    if (CALLS == null) {
      return false;
    }
    try {
      Memory attr = new Memory(ATTR_SIZE);
      attr.clear();
      if (Libc.syscall(CALLS.getAttr(), 0, attr, ATTR_SIZE, 0) != 0) {
        return false;
      }
      int policy = attr.getInt(POLICY_OFFSET);
      if (policy != SCHED_OTHER && policy != SCHED_BATCH) {
        return false; // Real-time or idle: chosen by whoever started the server; left as it is.
      }
      attr.setInt(0, ATTR_SIZE);
      attr.setLong(RUNTIME_OFFSET, SLICE_NANOS);
      return Libc.syscall(CALLS.setAttr(), 0, attr, 0, 0) == 0;
    } catch (LinkageError e) {
      return false; // No JNA or no C library to bind: the server runs as before.
    }
  }
}
