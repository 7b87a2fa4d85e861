package org.udpknock.fleet;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;

/**
 * Where and how to connect: {@code grant_store}'s host, port, user and database, the password
 * ({@code grant_store_password_file}'s, else the URI's), and for {@code rediss://} TLS with the
 * server's name checked against its certificate, trusting only {@code grant_store_ca_file}'s
 * certificates when it is set. Every connection's connect and reads are bounded by {@code
 * timeoutMillis}, so that a paused server costs a store's thread that much, never more.
 */
final class RedisEndpoint {
  /** The in-memory trust store's: it holds public certificates only, nothing secret. */
  private static final char[] TRUST_STORE_PASSWORD = "udpknock".toCharArray();

  private final HostAndPort address;
  private final JedisClientConfig config;

  private RedisEndpoint(HostAndPort address, JedisClientConfig config) {
    this.address = address;
    this.config = config;
  }

  /**
   * For settings whose URI the config reader has checked (redis or rediss, a host, a database
   * number or none).
   *
   * @throws IllegalArgumentException with a sentence naming grant_store_ca_file, for one that cannot be used
   */
  static RedisEndpoint of(FleetSettings settings, int timeoutMillis) {
    URI uri = settings.store();
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(timeoutMillis).socketTimeoutMillis(timeoutMillis)
        .user(user(uri)).password(settings.password() != null ? settings.password() : uriPassword(uri))
        .database(database(uri)).clientName("udpknock-" + settings.hostName());
    if (uri.getScheme().equals("rediss")) {
      withTls(config, settings.caFile());
    }
    int port = uri.getPort() < 0 ? FleetSettings.DEFAULT_PORT : uri.getPort();
    return new RedisEndpoint(new HostAndPort(uri.getHost(), port), config.build());
  }

  /** A new connection, authenticated and on its database; throws a Jedis exception when it cannot be had. */
  Jedis connect() {
    Jedis jedis = new Jedis(address, config);
    try {
      jedis.ping(); // The connection is made lazily: make it now, and fail here (refused, NOAUTH...).
      return jedis;
    } catch (RuntimeException e) {
      jedis.close();
      throw e;
    }
  }

  private static String user(URI uri) {
    String info = uri.getUserInfo();
    if (info == null) {
      return null;
    }
    String user = info.split(":", 2)[0];
    return user.isEmpty() ? null : user;
  }

  private static String uriPassword(URI uri) {
    String info = uri.getUserInfo();
    int colon = info == null ? -1 : info.indexOf(':');
    return colon < 0 ? null : info.substring(colon + 1);
  }

  /** {@code /N}: database N; none, or {@code /}: 0. */
  private static int database(URI uri) {
    String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
    return path.isEmpty() ? 0 : Integer.parseInt(path.substring(1));
  }

  /**
   * TLS, checking the server's certificate and that it names the host of grant_store (Jedis's
   * FULL mode); against {@code caFile}'s certificates only, when set, else the JVM's.
   */
  private static void withTls(DefaultJedisClientConfig.Builder config, Path caFile) {
    SslOptions.Builder tls = SslOptions.builder().sslVerifyMode(SslVerifyMode.FULL);
    if (caFile != null) {
      byte[] trusted = trustStore(caFile);
      tls.trustStoreType("PKCS12").truststore(() -> new ByteArrayInputStream(trusted), TRUST_STORE_PASSWORD);
    }
    config.sslOptions(tls.build());
  }

  /**
   * The certificates of {@code caFile} (PEM) as a PKCS12 trust store, the form Jedis reads: the
   * JDK reads PEM certificates but keeps no PEM key store.
   */
  static byte[] trustStore(Path caFile) {
    try (InputStream in = Files.newInputStream(caFile)) {
      Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("grant_store_ca_file " + caFile + " holds no PEM certificate");
      }
      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      int n = 0;
      for (Certificate certificate : certificates) {
        trusted.setCertificateEntry("ca-" + n++, certificate);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      trusted.store(out, TRUST_STORE_PASSWORD);
      return out.toByteArray();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("grant_store_ca_file " + caFile + " cannot be used: " + e.getMessage());
    }
  }
}
