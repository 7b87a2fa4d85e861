package org.udpknock.config;

/**
 * A config file that cannot be used. The message is one sentence naming the file, and, where the
 * problem is in the text, the line and the key, and saying what is wrong.
 */
public final class ConfigException extends Exception {
  /** What went wrong; callers refuse all of them with the same exit code (2, bad usage). */
  public enum Kind {
    /** The file is missing, unreadable, or not a regular file. */
    UNREADABLE,
    /** The file is not TOML. */
    SYNTAX,
    /** The file is TOML, but a key or value is wrong (unknown, wrong type, out of range, conflicting). */
    INVALID
  }

  private final Kind kind;

  ConfigException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
