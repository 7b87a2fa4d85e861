package org.udpknock.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rediss://}: a redis-server that speaks TLS only, with certificates this test makes with
 * openssl. The store trusts only {@code grant_store_ca_file}'s CA, and checks the server's name.
 */
class RedisTlsTest {
  @TempDir
  Path directory;
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void aStoreThatTrustsTheServersCaSharesGrantsOverTls() throws Exception {
    Path ca = certificateAuthority("fleet-ca");
    RedisProcess redis = tlsRedis(serverCertificate(ca, "IP:127.0.0.1"), ca);
    RecordingReceiver a = started(redis, ca, "host-a");
    RedisGrantStore storeA = lastStore;
    RecordingReceiver b = started(redis, ca, "host-b");
    a.next("resumed", 10);
    b.next("resumed", 10);
    SharedGrant grant = RedisGrantStoreTest.grant("ssh", 9, 60);
    storeA.publish(grant);
    assertEquals(grant.sourceLo(), b.next("received", 10).grant().sourceLo());
  }

  @Test
  void aServerWithACertificateOfAnotherCaIsLostWithASentence() throws Exception {
    Path serverCa = certificateAuthority("server-ca");
    RedisProcess redis = tlsRedis(serverCertificate(serverCa, "IP:127.0.0.1"), serverCa);
    String why = started(redis, certificateAuthority("other-ca"), "host-a").next("lost", 10).detail();
    assertTlsSentence(why);
  }

  /** Signed by the trusted CA, but for another name: hostname verification must refuse it. */
  @Test
  void aServerWhoseCertificateNamesAnotherHostIsLost() throws Exception {
    Path ca = certificateAuthority("fleet-ca");
    RedisProcess redis = tlsRedis(serverCertificate(ca, "DNS:elsewhere.invalid"), ca);
    assertTlsSentence(started(redis, ca, "host-a").next("lost", 10).detail());
  }

  private static void assertTlsSentence(String why) {
    assertTrue(why.contains("failed the TLS handshake") && why.contains("grant_store_ca_file"), why);
    assertFalse(why.contains("\n") || why.contains("\tat "), why);
  }

  private RedisGrantStore lastStore;

  /** A store on {@code redis} that trusts {@code ca}'s certificate ({@code ca}.pem) only. */
  private RecordingReceiver started(RedisProcess redis, Path caFile, String host) {
    FleetSettings settings = new FleetSettings(URI.create(redis.uri(true)), null, Path.of(caFile + ".pem"),
        RedisGrantStoreTest.FLEET_KEY, host);
    RecordingReceiver receiver = new RecordingReceiver();
    lastStore = new RedisGrantStore(settings);
    open.add(lastStore);
    lastStore.start(receiver);
    return receiver;
  }

  private RedisProcess tlsRedis(Path serverCertificate, Path ca) throws IOException {
    RedisProcess.skipUnlessInstalled();
    RedisProcess redis = RedisProcess.start(List.of(), "127.0.0.1", RedisProcess.freePort(), directory, null,
        List.of("--tls-port", "0", "--tls-cert-file", serverCertificate + ".pem", "--tls-key-file",
            serverCertificate + ".key", "--tls-ca-cert-file", ca + ".pem", "--tls-auth-clients", "no"));
    open.add(redis);
    return redis;
  }

  /** A self-signed CA: {@code NAME.pem} and {@code NAME.key}; returns the path without suffix. */
  private Path certificateAuthority(String name) throws Exception {
    Path base = directory.resolve(name);
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", base + ".key", "-out", base + ".pem", "-days", "2", "-subj", "/CN=" + name);
    return base;
  }

  /** A server certificate for {@code subjectAltName}, signed by {@code ca}; returns the path without suffix. */
  private Path serverCertificate(Path ca, String subjectAltName) throws Exception {
    Path base = directory.resolve("server-" + subjectAltName.replaceAll("[^A-Za-z0-9]", "_"));
    Path extensions = Files.writeString(Path.of(base + ".ext"), "subjectAltName=" + subjectAltName + "\n");
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", base + ".key",
        "-out", base + ".csr", "-subj", "/CN=udpknock-test-redis");
    openssl("x509", "-req", "-in", base + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
        "-out", base + ".pem", "-days", "2", "-extfile", extensions.toString());
    return base;
  }

  private static void openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      fail("openssl " + String.join(" ", args) + ": " + output);
    }
  }
}
