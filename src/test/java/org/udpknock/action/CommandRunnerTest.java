package org.udpknock.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner with real processes, its time limits on a clock the test moves. */
class CommandRunnerTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long TIMEOUT = 10 * SECOND;
  /** Base times near the ends of the clock's range too: deadlines are differences, not comparisons. */
  private final AtomicLong clock = new AtomicLong(Long.MAX_VALUE - 5 * SECOND);
  private final RecordingCommands events = new RecordingCommands();
  private CommandRunner runner;
  @TempDir Path dir;

  @BeforeEach
  void start() throws IOException {
    runner = new CommandRunner(2, 1, clock::get, events);
  }

  @AfterEach
  void stop() throws InterruptedException {
    clock.addAndGet(1000 * SECOND);
    runner.expireOverdue();
    runner.close();
    String left = events.poll(0);
    while (left != null && left.startsWith("timeout")) {
      left = events.poll(0);
    }
    assertEquals(null, left, "an event nobody checked");
  }

  private static Command command(Command.Hook hook, long sourceLo, String... arguments) {
    return new Command("ssh", hook, 0, 0xFFFF_0A00_0001L + sourceLo, List.of(arguments), TIMEOUT);
  }

  private static Command onOpen(long sourceLo, String... arguments) {
    return command(Command.Hook.ON_OPEN, sourceLo, arguments);
  }

  @Test
  void exitCodeAndFirstLineOfMergedOutput() throws Exception {
    runner.submit(onOpen(1, "/bin/sh", "-c", "echo first; echo second; exit 3"));
    assertEquals("finished on-open 3 \"first\"", events.take());
    runner.submit(onOpen(1, "/bin/sh", "-c", "echo oops >&2; exit 1"));
    assertEquals("finished on-open 1 \"oops\"", events.take());
    runner.submit(onOpen(1, "/bin/true"));
    assertEquals("finished on-open 0 \"\"", events.take());
  }

  @Test
  void outputIsEscapedAndCut() throws Exception {
    runner.submit(onOpen(1, "/bin/sh", "-c", "printf '\\033[31mred \"q\" \\\\ \\342\\200\\256x\\r\\nnext'"));
    assertEquals("finished on-open 0 \"\\x1b[31mred \\\"q\\\" \\\\ \\u202ex\"", events.take());
    runner.submit(onOpen(1, "/bin/sh", "-c", "printf '%0300d\\n' 0"));
    assertEquals("finished on-open 0 \"" + "0".repeat(FirstLine.MAX_CHARS) + "\"", events.take());
  }

  @Test
  void noShellSoASemicolonStaysLiteral() throws Exception {
    Path marker = dir.resolve("marker");
    runner.submit(onOpen(1, "/bin/echo", "a; touch " + marker, "$(touch " + marker + ")"));
    assertEquals("finished on-open 0 \"a; touch " + marker + " $(touch " + marker + ")\"", events.take());
    assertFalse(Files.exists(marker));
  }

  @Test
  void aCommandThatCannotStartIsReportedAndTheNextStillRuns() throws Exception {
    runner.submit(onOpen(1, dir.resolve("no-such-program").toString(), "x"));
    assertEquals("error on-open cannot run " + dir.resolve("no-such-program")
        + ": No such file or directory", events.take());
    runner.submit(onOpen(1, "/bin/echo", "still"));
    assertEquals("finished on-open 0 \"still\"", events.take());
  }

  @Test
  void aCommandPastItsTimeLimitIsKilledWithItsProcessTree() throws Exception {
    Path childPid = dir.resolve("child.pid");
    runner.submit(onOpen(1, "/bin/sh", "-c", "echo started; sleep 30 & echo $! > " + childPid + "; wait"));
    awaitTrue(() -> Files.exists(childPid) && runner.running() == 1, "the command and its child run");
    long child = Long.parseLong(Files.readString(childPid).trim());

    clock.addAndGet(TIMEOUT - 1); // 1 ns before its limit: it runs on
    assertEquals(0, runner.expireOverdue());
    assertEquals(null, events.poll(100));
    clock.addAndGet(1); // at its limit: it and its child are killed
    assertEquals(1, runner.expireOverdue());
    assertEquals("timeout on-open \"started\"", events.take());
    awaitTrue(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true), "the child is killed");
    assertEquals(0, runner.running());
  }

  @Test
  void atMostTwoRunAndOneWaitsTheExcessIsDropped() throws Exception {
    for (int source = 1; source <= 4; source++) {
      runner.submit(onOpen(source, "/bin/sleep", "30"));
    }
    assertEquals("dropped on-open queue-full", events.take()); // the 4th, at once
    awaitTrue(() -> runner.running() == 2, "two run");
    assertEquals(1, runner.waiting());

    clock.addAndGet(TIMEOUT);
    assertEquals(2, runner.expireOverdue());
    assertEquals("timeout on-open \"\"", events.take());
    assertEquals("timeout on-open \"\"", events.take());
    awaitTrue(() -> runner.running() == 1, "the waiting one runs"); // started at the new time
    assertEquals(0, runner.waiting());
    assertEquals(0, runner.expireOverdue());
    clock.addAndGet(TIMEOUT);
    assertEquals(1, runner.expireOverdue());
    assertEquals("timeout on-open \"\"", events.take());
  }

  @Test
  void onCloseWaitsForItsSourcesOnOpen() throws Exception {
    runner.submit(onOpen(1, "/bin/sleep", "30"));
    runner.submit(command(Command.Hook.ON_CLOSE, 1, "/bin/echo", "closed"));
    awaitTrue(() -> runner.running() == 1, "on_open runs");
    assertEquals(1, runner.waiting(), "on_close waits although a slot is free");
    clock.addAndGet(TIMEOUT);
    runner.expireOverdue();
    assertEquals("timeout on-open \"\"", events.take());
    assertEquals("finished on-close 0 \"closed\"", events.take());
  }

  @Test
  void afterCloseNothingIsAccepted() throws Exception {
    runner.close();
    assertFalse(runner.submit(onOpen(1, "/bin/true")));
    assertEquals("dropped on-open stopping", events.take());
  }

  /** A bounded poll: processes start and die on their own time. */
  static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + 10 * SECOND;
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not within 10 s: " + what);
      Thread.sleep(5);
    }
  }
}
