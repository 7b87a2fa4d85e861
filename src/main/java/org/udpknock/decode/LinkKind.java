package org.udpknock.decode;

/** What the link header of a frame says about the interface it came in on. */
public enum LinkKind {
  /** A loopback interface: BSD NULL/LOOP framing, or a cooked header with ARPHRD_LOOPBACK. */
  LOOPBACK,
  /** Any other interface: a cooked header with another hardware type. */
  OTHER,
  /** The link header does not say (Ethernet, raw IP): the capture must know. */
  UNKNOWN
}
