package org.udpknock.action;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.udpknock.report.EventWriter;
import org.udpknock.server.Clock;

/**
 * Writes what happens to commands as events of their door, at the time {@code clock} says:
 * <pre>
 * command D SOURCE hook on-open exit 0 ms 3 output "first line"
 * command-timeout D SOURCE hook on-close after-ms 10000 output "..."
 * command-error D SOURCE hook on-open error cannot run /usr/sbin/x: No such file or directory
 * command-dropped D SOURCE hook on-open reason queue-full
 * command-refused D SOURCE hook on-open error not an address: "..."
 * </pre>
 * In JSON the door is {@code "door"}, as in every door's event.
 * In JSON the output is a plain string; in text it is quoted, escaped by {@link FirstLine}.
 * Each event is also counted, per door, hook and {@link Outcome}, for metrics.
 */
public final class CommandEventLog implements CommandListener {
  /** How a command ended, as metrics label it. */
  public enum Outcome {
    /** Exited with 0. */
    OK("ok"),
    /** Exited with another code. */
    FAILED("failed"),
    /** Killed at its time limit. */
    TIMEOUT("timeout"),
    /** Could not start. */
    ERROR("error"),
    /** Not run: too many waiting, or stopping. */
    DROPPED("dropped"),
    /** Not built: a bad value. */
    REFUSED("refused");

    private static final Outcome[] ALL = values();
    private final String label;

    Outcome(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private static final int HOOKS = Command.Hook.values().length;

  private final EventWriter writer;
  private final Clock clock;
  private final boolean json;
  /** Per door name: a count per hook and outcome. Written on the runner's threads, never the capture's. */
  private final ConcurrentHashMap<String, AtomicLongArray> counts = new ConcurrentHashMap<>();

  /** {@code json} as given to {@link EventWriter#create}: whether {@code writer} writes JSON. */
  public CommandEventLog(EventWriter writer, boolean json, Clock clock) {
    this.writer = writer;
    this.clock = clock;
    this.json = json;
  }

  /** Commands of door {@code door} for {@code hook} that ended as {@code outcome}, since the start; from any thread. */
  public long count(String door, Command.Hook hook, Outcome outcome) {
    AtomicLongArray doorCounts = counts.get(door);
    return doorCounts == null ? 0 : doorCounts.get(index(hook, outcome));
  }

  private void add(String door, Command.Hook hook, Outcome outcome) {
    counts.computeIfAbsent(door, name -> new AtomicLongArray(HOOKS * Outcome.ALL.length))
        .incrementAndGet(index(hook, outcome));
  }

  private static int index(Command.Hook hook, Outcome outcome) {
    return hook.ordinal() * Outcome.ALL.length + outcome.ordinal();
  }

  @Override
  public void finished(Command command, int exitCode, String firstLine, long durationNanos) {
    add(command.door(), command.hook(), exitCode == 0 ? Outcome.OK : Outcome.FAILED);
    event("command", command, "exit", exitCode, "ms", TimeUnit.NANOSECONDS.toMillis(durationNanos),
        "output", output(firstLine));
  }

  @Override
  public void timedOut(Command command, String firstLine, long durationNanos) {
    add(command.door(), command.hook(), Outcome.TIMEOUT);
    event("command-timeout", command, "after-ms", TimeUnit.NANOSECONDS.toMillis(durationNanos),
        "output", output(firstLine));
  }

  @Override
  public void failedToStart(Command command, String why) {
    add(command.door(), command.hook(), Outcome.ERROR);
    event("command-error", command, "error", why);
  }

  @Override
  public void dropped(Command command, String why) {
    add(command.door(), command.hook(), Outcome.DROPPED);
    event("command-dropped", command, "reason", why);
  }

  @Override
  public void refused(String door, Command.Hook hook, long sourceHi, long sourceLo, String why) {
    add(door, hook, Outcome.REFUSED);
    writer.doorEvent(door, "command-refused", clock.nowNanos(), writer.address(sourceHi, sourceLo),
        "hook", hook.label(), "error", why);
  }

  private void event(String event, Command command, Object... fields) {
    Object[] all = new Object[2 + fields.length];
    all[0] = "hook";
    all[1] = command.hook().label();
    System.arraycopy(fields, 0, all, 2, fields.length);
    writer.doorEvent(command.door(), event, clock.nowNanos(), writer.address(command.sourceHi(), command.sourceLo()),
        all);
  }

  /** FirstLine has escaped it already; text adds the quotes (JSON quotes every string). */
  private String output(String firstLine) {
    return json ? firstLine : "\"" + firstLine + "\"";
  }
}
