package org.udpknock.action;

/**
 * What happens to commands: the events a {@link CommandRunner} reports. Called on the runner's
 * threads, never on the capture thread. {@link CommandEventLog} writes them as events.
 */
public interface CommandListener {
  /** The process of {@code command} was started (for measurements; not logged). */
  default void started(Command command, long pid) {}

  /** {@code command} exited with {@code exitCode}; {@code firstLine} is from {@link FirstLine}. */
  void finished(Command command, int exitCode, String firstLine, long durationNanos);

  /** {@code command} ran past its time limit: it and its process tree were killed. */
  void timedOut(Command command, String firstLine, long durationNanos);

  /** {@code command} could not start (no such file, not executable...): {@code why} says so. */
  void failedToStart(Command command, String why);

  /** {@code command} was not run: too many were waiting, or the runner is stopping. */
  void dropped(Command command, String why);

  /** A door's command was not built: {@code why} names the bad value (never run). */
  void refused(String door, Command.Hook hook, long sourceHi, long sourceLo, String why);

  CommandListener NONE = new CommandListener() {
    @Override
    public void finished(Command command, int exitCode, String firstLine, long durationNanos) {}

    @Override
    public void timedOut(Command command, String firstLine, long durationNanos) {}

    @Override
    public void failedToStart(Command command, String why) {}

    @Override
    public void dropped(Command command, String why) {}

    @Override
    public void refused(String door, Command.Hook hook, long sourceHi, long sourceLo, String why) {}
  };
}
