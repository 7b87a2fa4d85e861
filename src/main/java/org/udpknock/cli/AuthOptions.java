package org.udpknock.cli;

import java.nio.file.Path;
import org.udpknock.auth.AuthSettings;
import org.udpknock.auth.KeyFile;
import org.udpknock.auth.ServerId;
import picocli.CommandLine.Model.CommandSpec;

/** Authenticated mode's options, shared by {@code replay} and {@code server}. */
final class AuthOptions {
  static final int MAX_NONCE_CACHE = 50_000_000;

  Path secretFile;
  String serverId;
  long maxSkewNanos;
  long maxAheadNanos;
  int nonceCache;

  AuthOptions(CommandSpec spec) {
    spec.addOption(Specs.option(Path.class, value -> secretFile = value, "--secret-file").paramLabel("FILE")
        .description("Authenticated mode: count only knocks whose payload is signed with the key in FILE"
            + " (written by 'udpknock keygen'; must be mode 0600). Plain knocks are then refused.").build());
    spec.addOption(Specs.option(String.class, value -> serverId = value, "--server-id").paramLabel("NAME")
        .description("With --secret-file: the id of this server, which every knock's tag must cover;"
            + " overrides the key file's 'server-id' line. Give each server sharing a key its own.").build());
    spec.addOption(Specs.option(long.class, value -> maxSkewNanos = value, "--max-skew").paramLabel("DURATION")
        .converters(new Converters.Duration()).defaultValue("30s")
        .description("With --secret-file: most a knock's timestamp may be behind the time it is seen"
            + " (a client clock behind, plus transit); its nonce is remembered that long. Default: 30s.").build());
    spec.addOption(Specs.option(long.class, value -> maxAheadNanos = value, "--max-ahead").paramLabel("DURATION")
        .converters(new Converters.Duration()).defaultValue("5s")
        .description("With --secret-file: most a knock's timestamp may be ahead of the time it is seen"
            + " (a client clock ahead). Knocks stamped before the start + DURATION are refused"
            + " (before-start), so every knock is refused for DURATION after a start. Default: 5s.").build());
    spec.addOption(Specs.option(int.class, value -> nonceCache = value, "--nonce-cache").paramLabel("N")
        .defaultValue("" + AuthSettings.DEFAULT_NONCE_CACHE)
        .description("With --secret-file: most nonces remembered at once; when full, new knocks are"
            + " refused (cache-full), never a live nonce forgotten. Default: ${DEFAULT-VALUE}.").build());
  }

  /** The settings of authenticated mode, or null in plain mode; reads and checks the key file. */
  AuthSettings settings() {
    if (maxSkewNanos <= 0) {
      throw new UserError(ExitCodes.USAGE, "--max-skew must be longer than 0.");
    }
    if (maxAheadNanos <= 0) {
      throw new UserError(ExitCodes.USAGE, "--max-ahead must be longer than 0.");
    }
    if (nonceCache < 1 || nonceCache > MAX_NONCE_CACHE) {
      throw new UserError(ExitCodes.USAGE, "--nonce-cache must be between 1 and " + MAX_NONCE_CACHE
          + ", not " + nonceCache + ".");
    }
    if (secretFile == null) {
      return null;
    }
    KeyFile.Contents contents = readKey(secretFile, serverId);
    return new AuthSettings(contents.key(), contents.serverId(), maxSkewNanos, maxAheadNanos,
        nonceCache);
  }

  /**
   * Reads and checks {@code file}; its server id is {@code serverIdOption} when given, else the
   * file's own line, which must then be there.
   */
  static KeyFile.Contents readKey(Path file, String serverIdOption) {
    if (serverIdOption != null && !ServerId.isValid(serverIdOption)) {
      throw new UserError(ExitCodes.USAGE, "--server-id must be 1-" + ServerId.MAX_LENGTH
          + " printable ASCII characters without spaces, not '" + serverIdOption + "'.");
    }
    KeyFile.Contents contents;
    try {
      contents = KeyFile.read(file);
    } catch (KeyFile.KeyFileException e) {
      throw new UserError(ExitCodes.FAILURE, e.getMessage());
    }
    if (serverIdOption != null) {
      return new KeyFile.Contents(contents.key(), ServerId.of(serverIdOption));
    }
    if (contents.serverId() == null) {
      throw new UserError(ExitCodes.FAILURE, file + " names no server: add a line 'server-id NAME'"
          + " to it (the same on the server and its clients), or give --server-id NAME.");
    }
    return contents;
  }
}
