package org.udpknock.action;

import java.util.List;

/**
 * One command to run: a door's {@code on_open} or {@code on_close} with its placeholders already
 * replaced, for one source.
 *
 * @param door the door's name
 * @param hook which of the door's commands this is
 * @param sourceHi the source's key, upper half (for events)
 * @param sourceLo the source's key, lower half
 * @param arguments the argument list, run without a shell
 * @param timeoutNanos killed, with its process tree, when still running after this
 */
public record Command(String door, Hook hook, long sourceHi, long sourceLo, List<String> arguments,
    long timeoutNanos) {

  /** Which of a door's commands. */
  public enum Hook {
    ON_OPEN("on-open"), ON_CLOSE("on-close");

    private final String label;

    Hook(String label) {
      this.label = label;
    }

    /** As events print it: {@code on-open}, {@code on-close}. */
    public String label() {
      return label;
    }
  }

  public Command {
    arguments = List.copyOf(arguments);
    if (arguments.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("command timeout <= 0: " + timeoutNanos);
    }
  }

  /** Commands of one door for one source run one after another, in the order they were asked for. */
  SerialKey serialKey() {
    return new SerialKey(door, sourceHi, sourceLo);
  }

  record SerialKey(String door, long sourceHi, long sourceLo) {}
}
