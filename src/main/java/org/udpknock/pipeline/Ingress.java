package org.udpknock.pipeline;

import org.udpknock.decode.LinkKind;

/**
 * What a capture knows of the interface its frames come in on: its index (0 when unknown), its
 * name (null when unknown) and whether it is a loopback interface. Frames whose link header says
 * more (a LINUX_SLL2 interface index, a cooked hardware type) override it frame by frame.
 *
 * @param index the interface index, the scope of link-local addresses; 0 when unknown
 * @param name the interface name, whose VLAN interfaces decide which tagged frames count; null when unknown
 * @param kind whether the interface is loopback, as far as known
 */
public record Ingress(int index, String name, LinkKind kind) {
  /** Nothing known: replay of a capture whose link header does not say. */
  public static final Ingress UNKNOWN = new Ingress(0, null, LinkKind.UNKNOWN);
}
