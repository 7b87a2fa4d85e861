package org.udpknock.action;

/**
 * Whether a source holds a live grant of a door at {@code nowNanos} (the server's clock). The
 * door's grant table answers it; an action asks it when a connection comes in, from its own thread.
 */
@FunctionalInterface
public interface GrantCheck {
  boolean isGranted(long sourceHi, long sourceLo, long nowNanos);
}
