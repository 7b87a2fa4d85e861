package org.udpknock.server;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * A thread's scheduling attributes, read and written with Linux's {@code sched_getattr} and
 * {@code sched_setattr}, which Debian 12's C library wraps neither of: by their system call
 * numbers, on x86-64 and arm64 Linux. Elsewhere {@link #available()} is false.
 */
final class SchedAttr {
  static final int SCHED_OTHER = 0;
  static final int SCHED_BATCH = 3;
  static final int SCHED_IDLE = 5;

  /** struct sched_attr up to sched_period (SCHED_ATTR_SIZE_VER0). */
  private static final int SIZE = 48;
  private static final int POLICY_OFFSET = 4;
  private static final int RUNTIME_OFFSET = 24;

  private static final Calls CALLS = Calls.forArch(System.getProperty("os.arch"));

  private final Memory attr = new Memory(SIZE);

  /** The system call numbers of this architecture. */
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

    static native long syscall(long number, long tid, Memory attr, long size, long flags);
  }

  private SchedAttr() {
    attr.clear();
  }

  static boolean available() {
    return CALLS != null;
  }

  /**
   * The attributes of thread {@code tid} (0: the calling thread); null when they cannot be read.
   * Throws LinkageError when JNA or the C library cannot be bound.
   */
  static SchedAttr of(long tid) {
    SchedAttr read = new SchedAttr();
    return Libc.syscall(CALLS.getAttr(), tid, read.attr, SIZE, 0) == 0 ? read : null;
  }

  /** Attributes of {@code policy} alone, nice 0, for {@link #applyTo}. */
  static SchedAttr ofPolicy(int policy) {
    SchedAttr made = new SchedAttr();
    made.attr.setInt(POLICY_OFFSET, policy);
    return made;
  }

  int policy() {
    return attr.getInt(POLICY_OFFSET);
  }

  /** SCHED_OTHER or SCHED_BATCH: not a policy someone chose on purpose (real-time, idle). */
  boolean isNormalPolicy() {
    return policy() == SCHED_OTHER || policy() == SCHED_BATCH;
  }

  /** The slice a thread of a normal policy asks for (sched_runtime; Linux 6.12 and later). */
  SchedAttr withSlice(long nanos) {
    attr.setLong(RUNTIME_OFFSET, nanos);
    return this;
  }

  /** True if the kernel took these attributes for thread {@code tid} (0: the calling thread). */
  boolean applyTo(long tid) {
    attr.setInt(0, SIZE);
    return Libc.syscall(CALLS.setAttr(), tid, attr, 0, 0) == 0;
  }
}
