package org.udpknock.door;

/**
 * Whether a door shares its grants with the other hosts of a fleet ({@code shared = true}), and
 * where its commands run: only on the host that saw the knock ({@code commands = "local"}, the
 * default), or on every host that applies the grant ({@code commands = "all"}).
 */
public record Sharing(boolean shared, boolean commandsEverywhere) {
  public static final Sharing NONE = new Sharing(false, false);
  public static final Sharing SHARED = new Sharing(true, false);
}
