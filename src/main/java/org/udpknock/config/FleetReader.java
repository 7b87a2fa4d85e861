package org.udpknock.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.udpknock.auth.KeyFile;
import org.udpknock.auth.KnockKey;
import org.udpknock.fleet.FleetSettings;
import org.udpknock.fleet.GrantMessage;
import org.udpknock.fleet.RedisGrantStore;

/**
 * Reads the top-level keys that join this host to a fleet ({@code grant_store} and its
 * companions) into {@link FleetSettings}, or null without a {@code grant_store}. Secrets are
 * read from their files here, with a key file's checks (mode 0600): a bad file fails the load.
 */
final class FleetReader {
  static final String STORE = "grant_store";
  static final List<String> KEYS = List.of(STORE, "fleet_key_file", "grant_store_password_file",
      "grant_store_ca_file", "host_name");
  private static final Pattern DATABASE = Pattern.compile("(/\\d{1,4})?/?");

  private final Fields top;
  private final Path directory;

  /** @param directory the config file's directory, against which relative paths are read */
  FleetReader(Fields top, Path directory) {
    this.top = top;
    this.directory = directory;
  }

  FleetSettings read() throws ConfigException {
    if (!top.has(STORE)) {
      refuseCompanionsAlone();
      return null;
    }
    URI store = store();
    if (!top.has("fleet_key_file")) {
      throw top.error(STORE, "grant_store needs fleet_key_file, a key that every host of the fleet shares"
          + " (write one with: udpknock keygen FILE, then copy it to each host)");
    }
    KnockKey key = fleetKey();
    FleetSettings settings = new FleetSettings(store, password(store), caFile(store), key, hostName());
    try {
      RedisGrantStore.check(settings);
    } catch (IllegalArgumentException e) {
      throw top.error("grant_store_ca_file", e.getMessage());
    }
    return settings;
  }

  private void refuseCompanionsAlone() throws ConfigException {
    for (String key : KEYS) {
      if (top.has(key)) {
        throw top.error(key, key + " is only used with grant_store; add grant_store or remove " + key);
      }
    }
  }

  private URI store() throws ConfigException {
    String text = top.string(STORE, null);
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw badStore(text);
    }
    boolean redis = "redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme());
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    if (!redis || uri.getHost() == null || !DATABASE.matcher(path).matches() || uri.getQuery() != null) {
      throw badStore(text);
    }
    return uri.getPort() == -1 ? withPort(uri) : uri;
  }

  private ConfigException badStore(String text) {
    return top.error(STORE, "grant_store must be redis://[user:password@]HOST:PORT/DB, or rediss:// for TLS,"
        + " like \"redis://10.0.0.5:6379/0\", not \"" + text + "\"");
  }

  private static URI withPort(URI uri) {
    try {
      return new URI(uri.getScheme(), uri.getRawUserInfo(), uri.getHost(), FleetSettings.DEFAULT_PORT, uri.getRawPath(),
          null, null);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("a valid URI with a port added is valid", e);
    }
  }

  private KnockKey fleetKey() throws ConfigException {
    try {
      return KeyFile.read(path("fleet_key_file")).key();
    } catch (KeyFile.KeyFileException e) {
      throw top.error("fleet_key_file", "fleet_key_file: " + e.getMessage());
    }
  }

  /** The password file's, or null: the URI's own, if any, is the store client's to use. */
  private String password(URI store) throws ConfigException {
    if (!top.has("grant_store_password_file")) {
      return null;
    }
    String userInfo = store.getUserInfo();
    if (userInfo != null && userInfo.contains(":")) {
      throw top.error("grant_store_password_file", "grant_store has a password and grant_store_password_file"
          + " gives another; keep the file and write grant_store without the password");
    }
    try {
      return KeyFile.readSecretLine(path("grant_store_password_file"));
    } catch (KeyFile.KeyFileException e) {
      throw top.error("grant_store_password_file", "grant_store_password_file: " + e.getMessage());
    }
  }

  private Path caFile(URI store) throws ConfigException {
    if (!top.has("grant_store_ca_file")) {
      return null;
    }
    if (!"rediss".equals(store.getScheme())) {
      throw top.error("grant_store_ca_file", "grant_store_ca_file checks a TLS store's certificate;"
          + " write grant_store as rediss://, or remove grant_store_ca_file");
    }
    Path file = path("grant_store_ca_file");
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw top.error("grant_store_ca_file", "grant_store_ca_file " + file + " is not a readable file;"
          + " give the PEM file of the CA that signed the store's certificate");
    }
    return file;
  }

  private String hostName() throws ConfigException {
    String name = top.string("host_name", null);
    if (name == null) {
      return systemHostName();
    }
    if (!GrantMessage.isValidHostName(name)) {
      throw top.error("host_name", "host_name must be 1-64 printable ASCII characters without spaces, not \""
          + name + "\"");
    }
    return name;
  }

  /** The kernel's host name, cut to what a message carries; "localhost" if it has none. */
  static String systemHostName() {
    try {
      String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip().replaceAll("[^!-~]", "");
      return name.isEmpty() ? "localhost" : name.substring(0, Math.min(64, name.length()));
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }

  private Path path(String key) throws ConfigException {
    return directory.resolve(top.string(key, null));
  }
}
