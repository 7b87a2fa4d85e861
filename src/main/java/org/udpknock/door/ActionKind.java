package org.udpknock.door;

import java.util.Locale;

/** What a door does for a granted source. Names as written in the config file. */
public enum ActionKind {
  /** Listens on the door's port while a grant is live and greets granted sources (the default). */
  GREET,
  /** Listens on the door's port and relays a granted source's connection to {@code forward_to}. */
  FORWARD,
  /** No listener: lets granted sources through to a real port of this host with nftables sets. */
  NFTABLES,
  /** Nothing but the door's commands, as a knockd door. */
  NONE;

  /** The config file's word: {@code greet}, {@code forward}, {@code nftables}, {@code none}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Doors that bind a TCP listener of their own on their port. */
  public boolean listens() {
    return this == GREET || this == FORWARD;
  }
}
