package org.udpknock.server;

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

  private WakeupSlice() {}

  /**
   * Shortens the calling thread's slice; true if the kernel took it. False, and nothing changed,
   * when it cannot: another policy than the normal ones, a kernel without the call, no JNA.
   */
  public static boolean shortenForCallingThread() {
    if (!SchedAttr.available()) {
      return false;
    }
    try {
      SchedAttr attr = SchedAttr.of(0);
      // Real-time or idle: chosen by whoever started the server; left as it is.
      return attr != null && attr.isNormalPolicy() && attr.withSlice(SLICE_NANOS).applyTo(0);
    } catch (LinkageError e) {
      return false; // No JNA or no C library to bind: the server runs as before.
    }
  }
}
