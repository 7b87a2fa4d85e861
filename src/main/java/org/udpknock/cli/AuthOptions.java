package org.udpknock.cli;

import java.nio.file.Path;
import org.udpknock.auth.AuthSettings;
import org.udpknock.auth.KeyFile;
import picocli.CommandLine.Option;

/** Authenticated mode's options, shared by {@code replay} and {@code server}. */
final class AuthOptions {
  static final int MAX_NONCE_CACHE = 50_000_000;

  @Option(names = "--secret-file", paramLabel = "FILE",
      description = "Authenticated mode: count only knocks whose payload is signed with the key in FILE"
          + " (written by 'udpknock keygen'; must be mode 0600). Plain knocks are then refused.")
  Path secretFile;

  @Option(names = "--max-skew", paramLabel = "DURATION", converter = Converters.Duration.class,
      defaultValue = "30s",
      description = "With --secret-file: most difference between a knock's timestamp and the time it"
          + " is seen, either way. Default: 30s.")
  long maxSkewNanos;

  @Option(names = "--nonce-cache", paramLabel = "N", defaultValue = "" + AuthSettings.DEFAULT_NONCE_CACHE,
      description = "With --secret-file: most nonces remembered at once; when full, new knocks are"
          + " refused (cache-full), never a live nonce forgotten. Default: ${DEFAULT-VALUE}.")
  int nonceCache;

  /** The settings of authenticated mode, or null in plain mode; reads and checks the key file. */
  AuthSettings settings() {
    if (maxSkewNanos <= 0) {
      throw new UserError(ExitCodes.USAGE, "--max-skew must be longer than 0.");
    }
    if (nonceCache < 1 || nonceCache > MAX_NONCE_CACHE) {
      throw new UserError(ExitCodes.USAGE, "--nonce-cache must be between 1 and " + MAX_NONCE_CACHE
          + ", not " + nonceCache + ".");
    }
    if (secretFile == null) {
      return null;
    }
    return new AuthSettings(readKey(secretFile), maxSkewNanos, nonceCache);
  }

  static org.udpknock.auth.KnockKey readKey(Path file) {
    try {
      return KeyFile.read(file);
    } catch (KeyFile.KeyFileException e) {
      throw new UserError(ExitCodes.FAILURE, e.getMessage());
    }
  }
}
