package org.udpknock.door;

import java.util.List;

/**
 * A door's commands: argument lists run without a shell when a grant opens and when it ends,
 * with {@code %IP%}, {@code %DOOR%} and {@code %PORT%} replaced in each argument.
 *
 * @param onOpen argument list run when a source is granted; empty for none
 * @param onClose argument list run when that grant ends; empty for none
 * @param timeoutNanos a command still running after this is killed
 */
public record Commands(List<String> onOpen, List<String> onClose, long timeoutNanos) {
  public static final long DEFAULT_TIMEOUT_NANOS = 10_000_000_000L;
  public static final Commands NONE = new Commands(List.of(), List.of(), DEFAULT_TIMEOUT_NANOS);

  public Commands {
    onOpen = List.copyOf(onOpen);
    onClose = List.copyOf(onClose);
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("command timeout <= 0: " + timeoutNanos);
    }
  }

  public boolean isEmpty() {
    return onOpen.isEmpty() && onClose.isEmpty();
  }
}
