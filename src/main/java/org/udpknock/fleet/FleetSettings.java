package org.udpknock.fleet;

import java.net.URI;
import java.nio.file.Path;
import org.udpknock.auth.KnockKey;

/**
 * How this host joins a fleet: the config file's {@code grant_store} and its companions,
 * checked by the config reader (the URI's form, the host name, the key; the store checks the CA
 * file's certificates: {@code RedisGrantStore.check}). Secrets come from files only (mode 0600), never from the command line.
 *
 * @param store {@code grant_store}: {@code redis://[user[:password]@]HOST:PORT[/DB]} or {@code rediss://} (TLS)
 * @param password the contents of {@code grant_store_password_file}, or null (then the URI's, if any)
 * @param caFile {@code grant_store_ca_file}: PEM certificates a {@code rediss://} server is checked
 *     against instead of the JVM's, or null
 * @param fleetKey the key of {@code fleet_key_file} ({@code udpknock keygen}'s format): signs and checks grant messages
 * @param hostName {@code host_name}: how this host signs its messages and is named in the others' logs
 */
public record FleetSettings(URI store, String password, Path caFile, KnockKey fleetKey, String hostName) {
  /** Redis's port, for a {@code grant_store} that gives none. */
  public static final int DEFAULT_PORT = 6379;

  /** Redacted: settings end up in logs and messages by accident, never the password. */
  @Override
  public String toString() {
    return "FleetSettings[" + storeForLog() + ", host " + hostName + "]";
  }

  /** The store without any password, as the log may show it. */
  public String storeForLog() {
    return store.getScheme() + "://" + store.getHost() + ":" + store.getPort() + store.getPath();
  }
}
