package org.udpknock.action;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what a runner reports, as one line each: {@code finished on-open 0 "first line"}. */
final class RecordingCommands implements CommandListener {
  private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();

  @Override
  public void finished(Command command, int exitCode, String firstLine, long durationNanos) {
    events.add("finished " + command.hook().label() + " " + exitCode + " \"" + firstLine + "\"");
  }

  @Override
  public void timedOut(Command command, String firstLine, long durationNanos) {
    events.add("timeout " + command.hook().label() + " \"" + firstLine + "\"");
  }

  @Override
  public void failedToStart(Command command, String why) {
    events.add("error " + command.hook().label() + " " + why);
  }

  @Override
  public void dropped(Command command, String why) {
    events.add("dropped " + command.hook().label() + " " + why);
  }

  @Override
  public void refused(String door, Command.Hook hook, long sourceHi, long sourceLo, String why) {
    events.add("refused " + hook.label() + " " + why);
  }

  /** The next event, waiting at most 10 s for it (commands are real processes). */
  String take() throws InterruptedException {
    String event = events.poll(10, TimeUnit.SECONDS);
    assertNotNull(event, "no command event within 10 s");
    return event;
  }

  /** The next event if one comes within {@code millis}, else null. */
  String poll(long millis) throws InterruptedException {
    return events.poll(millis, TimeUnit.MILLISECONDS);
  }

  boolean isEmpty() {
    return events.isEmpty();
  }
}
