package org.udpknock.capture;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.udpknock.server.LiveHarness.SECOND;
import static org.udpknock.server.LiveHarness.await;
import static org.udpknock.server.LiveHarness.freePort;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.udpknock.core.KnockSequence;
import org.udpknock.server.FrameSink;
import org.udpknock.server.LiveHarness;
import org.udpknock.server.ServerConfig;

/**
 * A capture blocked in libpcap's read on an interface where nothing matches its filter ends
 * soon after stop(), and close() after it: the read loop sees the stop (breakLoop wakes the
 * read, the flag is checked between reads). Live on lo: needs capture privileges (skipped, and
 * said so, without them unless CI is set).
 */
class PcapCaptureStopTest {
  @Test
  void aCaptureBlockedInAReadOnAnIdleInterfaceStopsWithinASecond() throws Exception {
    int base = 40000 + new java.util.Random().nextInt(2000) * 3;
    ServerConfig config = ServerConfig.singleDoor("lo", KnockSequence.of(base, base + 2, base + 1), 5 * SECOND,
        1000, freePort(), 30 * SECOND, null, ServerConfig.DEFAULT_GREETING, false);
    PcapCapture capture = LiveHarness.openOrSkip(config);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    FrameSink ignoring = (timeNanos, linkType, data, offset, length) -> { };
    Thread thread = new Thread(() -> {
      try {
        capture.run(ignoring);
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "idle-capture");
    thread.start();
    try {
      await(() -> isInTheNativeRead(thread), () -> "the capture thread to block in pcap_next_ex: "
          + Arrays.toString(thread.getStackTrace()));
      long stopAsked = System.nanoTime();
      capture.stop();
      thread.join(1000);
      assertFalse(thread.isAlive(), "still reading 1 s after stop()");
      System.out.println("stopped " + (System.nanoTime() - stopAsked) / 1000 + " us after stop()");
    } finally {
      capture.stop();
      thread.join(2000);
      if (!thread.isAlive()) { // close() waits for the read loop: a capture that never stops is left open.
        capture.close();
      }
    }
    assertNull(failure.get());
  }

  private static boolean isInTheNativeRead(Thread thread) {
    return Arrays.stream(thread.getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("pcap_next_ex"));
  }
}
