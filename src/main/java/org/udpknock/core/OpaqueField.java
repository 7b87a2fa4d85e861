package org.udpknock.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The handle of a count that one thread writes and any thread reads (metrics, at scrape time), in
 * opaque mode: a read gets a whole value, at most a moment stale. An opaque write is the plain
 * store on x86 and ARM: no fence, no lock, nothing shared on the writer's path.
 */
public final class OpaqueField {
  private OpaqueField() {}

  /** The field {@code name} of {@code lookup}'s class; call from that class's static initializer. */
  public static VarHandle of(MethodHandles.Lookup lookup, String name, Class<?> type) {
    try {
      return lookup.findVarHandle(lookup.lookupClass(), name, type);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
