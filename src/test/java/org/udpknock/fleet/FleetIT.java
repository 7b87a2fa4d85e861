package org.udpknock.fleet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.udpknock.fleet.FleetNamespaces.awaitTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.attack.Namespaces;
import org.udpknock.auth.KeyFile;
import org.udpknock.auth.KnockKey;
import org.udpknock.fleet.FleetNamespaces.Line;
import org.udpknock.fleet.FleetNamespaces.Server;
import org.udpknock.server.ProcessLines;
import org.udpknock.server.ProcessLines.Result;

/**
 * Issue 13's fleet, end to end with real components only: three packaged servers (hosts a, b and
 * c) in network namespaces on one bridge, sharing their grants through a real redis-server (with a
 * password, from {@code grant_store_password_file}) on the bridge; a client namespace knocking with
 * knockd's {@code knock -u} and socat, reading greetings with netcat and logging in with ssh; and
 * Debian's sshd on c, on ports 22 and 2222, each behind one of c's nftables doors. Hosts a and b
 * greet. Two shared doors: {@code fleet} (open 4 s) for the expiry, the forgeries and the flood,
 * and {@code long} (open 20 s) where a restart or an outage must not race the grant's end. Each
 * test knocks from source addresses of its own. Needs root: skipped, and said so, when not root
 * and CI is unset.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetIT {
  private static final String DOOR = "fleet";
  private static final String LONG_DOOR = "long";
  private static final long OPEN_FOR_NANOS = TimeUnit.SECONDS.toNanos(4);
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** A message carries milliseconds: a host's end of a shared grant may be up to 1 ms before the sharer's. */
  private static final long MESSAGE_PRECISION_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final String CHANNEL = "udpknock:grants";
  private static final Pattern FLEET_SUMMARY = Pattern.compile("(?<published>\\d+) published, (?<received>\\d+) received, "
      + "(?<applied>\\d+) applied, (?<refused>\\d+) refused \\((?<reasons>[^)]*)\\), (?<dropped>\\d+) dropped");
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Grants a makes the flood's sources (each queued for the stopped Redis) before the real knock. */
  private static final int FLOOD_GRANTS_BEFORE_THE_KNOCK = 500;
  /** Knocks of many spoofed sources (complete sequences, each a grant), bounded in count and time. */
  private static final String FLOOD = String.join("\n",
      "import sys, time",
      "from scapy.all import Ether, IP, UDP, Raw, conf",
      "iface, mac, dst, ports, count, seconds, prefix = sys.argv[1:8]",
      "ports = [int(p) for p in ports.split(',')]",
      "s = conf.L2socket(iface=iface)",
      "end = time.time() + float(seconds)",
      "sent = 0",
      "for i in range(int(count)):",
      "    src = '%s%d.%d' % (prefix, i // 250 % 250 + 1, i % 250 + 1)",
      "    for p in ports:",
      "        s.send(bytes(Ether(dst=mac)/IP(src=src, dst=dst)/UDP(sport=40000, dport=p)/Raw(b'x')))",
      "        sent += 1",
      "    if i == 50:",
      "        print('flooding', flush=True)",
      "    if time.time() > end:",
      "        break",
      "print('sent', sent, flush=True)");

  @TempDir static Path dir;
  private final int[] sequence = Namespaces.randomSequence();
  private final int[] longSequence = {sequence[0] + 7, sequence[1] + 7, sequence[2] + 7};
  private final int greetPort = Namespaces.randomServicePort();
  private final int longPort = greetPort + 1;
  /** sshd's second port on c, behind c's nftables door of the long door. */
  private static final int LONG_SSH_PORT = 2222;
  private final int redisPort = 16000 + RANDOM.nextInt(3000);
  private final String password = HexFormat.of().formatHex(RANDOM.generateSeed(16));
  private final Map<String, Server> servers = new LinkedHashMap<>();
  private FleetNamespaces fleet;
  private RedisProcess redis;
  private KnockKey fleetKey;

  @BeforeAll
  void startTheFleet() throws Exception {
    fleet = FleetNamespaces.createOrSkip("FleetIT");
    Path keyFile = dir.resolve("fleet.key");
    ProcessLines.ok(ProcessLines.javaCommand(), "-jar", FleetNamespaces.JAR.toString(), "keygen", keyFile.toString());
    fleetKey = KeyFile.read(keyFile).key();
    Path passwordFile = Files.writeString(dir.resolve("redis.password"), password + "\n");
    Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
    startSshdOnC();
    redis = fleet.startRedis(redisPort, password, dir);
    for (String host : FleetNamespaces.HOSTS) {
      Files.writeString(config(host), configText(host, keyFile, passwordFile));
    }
    for (String host : FleetNamespaces.HOSTS) {
      servers.put(host, fleet.launchServer(host, config(host)));
    }
    for (Server server : servers.values()) {
      fleet.awaitListening(server).await(0, "grant-store-connected", 15); // subscribed, and the live grants loaded
    }
  }

  @AfterAll
  void stopTheFleet() throws Exception {
    if (fleet != null) {
      fleet.close();
    }
  }

  /** What an earlier test may have left stopped (when it failed half-way) is running again. */
  @BeforeEach
  void fleetRunning() throws Exception {
    if (!redis.isRunning()) {
      redis.start();
    } else if (redis.isPaused()) {
      redis.resume();
    }
    for (String host : FleetNamespaces.HOSTS) {
      if (!servers.get(host).process.isAlive()) {
        servers.put(host, fleet.awaitListening(fleet.launchServer(host, config(host))));
      }
    }
  }

  /**
   * A knock sniffed on a alone opens b's greeting and c's sshd for that source, and for no other;
   * the grant then ends on b and c when it ends on a (their logged ends within a tick of a's, each
   * logged within a second), c's kernel element never outlasts it, and every host refuses again.
   */
  @Test
  @Order(1)
  void aKnockOnAOpensBAndCForThatSourceAloneUntilItEndsOnA() throws Exception {
    String source = fleet.clientPrimary();
    String other = fleet.addClientAddress();
    Map<String, Integer> marks = marks();
    ProcessLines.ok(FleetNamespaces.netnsExec(fleet.clientNs, knockCommand("a", sequence)));
    Line granted = server("a").awaitEvent(marks.get("a"), "granted", DOOR, source, 10);
    long endNanos = granted.eventNanos() + OPEN_FOR_NANOS;
    Line sharedOnB = server("b").awaitEvent(marks.get("b"), "shared-grant", DOOR, source, 10);
    assertEquals("a", sharedOnB.field("from"), sharedOnB.text());
    server("c").awaitEvent(marks.get("c"), "nft-allowed", DOOR, source, 10);
    for (String host : List.of("b", "c")) {
      assertFalse(server(host).findEvent(marks.get(host), "granted", DOOR, source).isPresent(),
          "host " + host + " saw the knock itself:\n" + server(host).log());
    }
    long beforeListingNanos = FleetNamespaces.nowNanos();
    long leftOnCNanos = nftExpiresNanos(source);
    long afterListingNanos = FleetNamespaces.nowNanos();
    System.out.printf("FleetIT: c's kernel element ends between %+.1f and %+.1f ms from a's end%n",
        (beforeListingNanos + leftOnCNanos - endNanos) / 1e6, (afterListingNanos + leftOnCNanos + MESSAGE_PRECISION_NANOS - endNanos) / 1e6);
    assertTrue(beforeListingNanos + leftOnCNanos <= endNanos + TICK_NANOS, // the element's end is later than this
        "c's kernel element ends " + (beforeListingNanos + leftOnCNanos - endNanos) / 1e6 + " ms after a's grant");
    assertTrue(afterListingNanos + leftOnCNanos + MESSAGE_PRECISION_NANOS >= endNanos - TICK_NANOS, // and earlier than this
        "c's kernel element ends " + (endNanos - afterListingNanos - leftOnCNanos) / 1e6 + " ms before a's grant");

    assertTrue(greeting(source, "b").contains(greetingOf("b")), "b greets the source that knocked on a");
    server("b").awaitEvent(marks.get("b"), "served", DOOR, source, 5);
    assertEquals("through the fleet", ssh(source, "echo through the fleet").output().strip(), "c lets it reach sshd");
    assertTrue(greeting(source, "a").contains(greetingOf("a")), "a itself greets it");
    for (String host : List.of("a", "b")) {
      assertTrue(greeting(other, host).contains("refused"), "host " + host + " refuses a source that never knocked");
    }
    assertTrue(ssh(other, "echo never").output().contains("Connection refused"), "c resets a source that never knocked");

    for (String host : FleetNamespaces.HOSTS) {
      Line expired = server(host).awaitEvent(marks.get(host), "grant-expired", DOOR, source, 4 + 5);
      long late = expired.eventNanos() - endNanos;
      assertTrue(-MESSAGE_PRECISION_NANOS <= late && late <= TICK_NANOS,
          "host " + host + "'s grant ends " + late / 1e6 + " ms after a's: " + expired.text());
      long loggedAfter = expired.arrivedNanos() - expired.eventNanos();
      System.out.printf("FleetIT: host %s's grant ended %+.3f ms from a's end, logged %.1f ms later%n", host, late / 1e6,
          loggedAfter / 1e6);
      assertTrue(loggedAfter < TimeUnit.SECONDS.toNanos(1), "host " + host + " logged the end " + loggedAfter / 1e6 + " ms late");
    }
    awaitTrue(() -> refusedOnB(source), () -> "b to refuse " + source + " after the grant ended", 2);
    assertTrue(ssh(source, "echo never").output().contains("Connection refused"), "c resets it after the grant ended");
  }

  /**
   * Redis killed: every host says so, and a still grants locally. Redis back on the same port,
   * empty: every host says so, a publishes the grant it made meanwhile, and b and c apply it.
   */
  @Test
  @Order(2)
  void withRedisGoneAGrantsLocallyAndOnceItIsBackTheOthersLearnTheGrant() throws Exception {
    Map<String, Integer> marks = marks();
    redis.kill();
    for (String host : FleetNamespaces.HOSTS) {
      server(host).await(marks.get(host), "grant-store-lost", 15);
    }
    String source = fleet.addClientAddress();
    knockFrom(source, "a", longSequence);
    server("a").awaitEvent(marks.get("a"), "granted", LONG_DOOR, source, 10);
    assertTrue(greeting(source, "a", longPort).contains(greetingOf("a")), "a greets during the outage");
    assertTrue(greeting(source, "b", longPort).contains("refused"), "b cannot know of it yet");
    assertTrue(ssh(source, LONG_SSH_PORT, "echo never").output().contains("Connection refused"), "nor c");

    redis.start(); // the same port, empty
    Line resumed = server("a").await(marks.get("a"), "grant-store-resumed", 15);
    assertTrue(Integer.parseInt(resumed.field("republished")) >= 1, "a republished what it granted: " + resumed.text());
    for (String host : List.of("b", "c")) {
      server(host).await(marks.get(host), "grant-store-resumed", 15);
      Line shared = server(host).awaitEvent(marks.get(host), "shared-grant", LONG_DOOR, source, 10);
      assertEquals("a", shared.field("from"), shared.text());
    }
    assertTrue(greeting(source, "b", longPort).contains(greetingOf("b")), "b greets it now");
    server("c").awaitEvent(marks.get("c"), "nft-allowed", LONG_DOOR, source, 5);
    assertEquals("after the outage", ssh(source, LONG_SSH_PORT, "echo after the outage").output().strip(),
        "c lets it reach sshd's other port now");
  }

  /** b stopped while a grants; b started again loads the live grant and greets its source. */
  @Test
  @Order(3)
  void aRestartedHostLearnsTheLiveGrants() throws Exception {
    server("b").stop();
    String source = fleet.addClientAddress();
    Map<String, Integer> marks = marks();
    knockFrom(source, "a", longSequence);
    server("a").awaitEvent(marks.get("a"), "granted", LONG_DOOR, source, 10);
    server("c").awaitEvent(marks.get("c"), "shared-grant", LONG_DOOR, source, 10); // so it is in Redis
    assertTrue(greeting(source, "b", longPort).contains("refused"), "b is down");

    Server restarted = fleet.launchServer("b", config("b"));
    servers.put("b", restarted);
    fleet.awaitListening(restarted);
    Line connected = restarted.await(0, "grant-store-connected", 15);
    assertTrue(Integer.parseInt(connected.field("loaded")) >= 1, "b loaded the live grants: " + connected.text());
    Line shared = restarted.awaitEvent(0, "shared-grant", LONG_DOOR, source, 15);
    assertEquals("a", shared.field("from"), shared.text());
    assertTrue(greeting(source, "b", longPort).contains(greetingOf("b")), "the restarted b greets it");
  }

  /**
   * Messages written straight into Redis, as whoever reaches Redis could: signed with another key,
   * and a replay of a correctly signed grant that has ended. Every host refuses and logs them, and
   * they open nothing. A fresh message signed with the fleet key, written the same way, is applied:
   * the refusals are the forgeries', not the test's format's.
   */
  @Test
  @Order(4)
  void forgedAndStaleMessagesInRedisAreRefusedLoggedAndGrantNothing() throws Exception {
    String forged = fleet.addClientAddress();
    String stale = fleet.addClientAddress();
    String genuine = fleet.addClientAddress();
    Map<String, Integer> marks = marks();
    long now = System.currentTimeMillis();
    KnockKey otherKey = new KnockKey(RANDOM.generateSeed(KnockKey.LENGTH));
    write(DOOR, forged, message(otherKey, "a", DOOR, forged, now + 20_000, now), now + 20_000);
    System.out.println("FleetIT: refused " + awaitRefusedEverywhere(marks));
    Map<String, Integer> afterForged = marks();
    write(DOOR, stale, message(fleetKey, "a", DOOR, stale, now - 300_000, now - 304_000), 0);
    System.out.println("FleetIT: refused " + awaitRefusedEverywhere(afterForged));

    write(DOOR, genuine, message(fleetKey, "z", DOOR, genuine, now + 20_000, now), now + 20_000);
    Line applied = server("b").awaitEvent(marks.get("b"), "shared-grant", DOOR, genuine, 10);
    assertEquals("z", applied.field("from"), applied.text());
    server("c").awaitEvent(marks.get("c"), "nft-allowed", DOOR, genuine, 10);
    assertTrue(greeting(genuine, "b").contains(greetingOf("b")), "the control message is applied");
    for (String source : List.of(forged, stale)) {
      for (String host : FleetNamespaces.HOSTS) {
        assertFalse(server(host).findEvent(marks.get(host), "shared-grant", DOOR, source).isPresent(),
            "host " + host + " applied the message for " + source + ":\n" + server(host).log());
      }
      assertTrue(greeting(source, "b").contains("refused"), "b refuses " + source);
      assertTrue(ssh(source, "echo never").output().contains("Connection refused"), "c resets " + source);
    }
  }

  /**
   * A flood of spoofed complete knock sequences on a's fleet door while Redis is stopped
   * (SIGSTOP), each a grant queued for the store: a real knock (on the long door) during the flood
   * is granted and greeted by a about as promptly as one before it, and before Redis runs again.
   * Once it runs, b learns that grant.
   */
  @Test
  @Order(5)
  void aFloodWhileRedisIsPausedDoesNotSlowAsLocalGrants() throws Exception {
    String calm = fleet.addClientAddress();
    long calmLag = knockAndTimeTheGrant(calm);
    assertTrue(greeting(calm, "a", longPort).contains(greetingOf("a")), "a greets before the flood");

    redis.pause();
    awaitTrue(redis::isPaused, () -> "redis-server to be stopped", 5);
    Process flood = fleet.start(fleet.clientNs, Namespaces.PYTHON, "-c", FLOOD, fleet.clientEnd, fleet.hostMac("a"),
        fleet.hostAddress("a"), Namespaces.portList(sequence), "20000", "8", FleetNamespaces.FLOOD_PREFIX);
    String during = fleet.addClientAddress();
    int markB = server("b").mark();
    try {
      awaitTrue(() -> floodGrants() >= FLOOD_GRANTS_BEFORE_THE_KNOCK || !flood.isAlive(),
          () -> FLOOD_GRANTS_BEFORE_THE_KNOCK + " of a's grants to the flood; a's log:\n" + server("a").log(), 20);
      assertTrue(flood.isAlive(), "the flood ended before the real knock");
      long floodLag = knockAndTimeTheGrant(during);
      assertTrue(greeting(during, "a", longPort).contains(greetingOf("a")), "a greets during the flood");
      assertTrue(redis.isPaused(), "Redis was stopped all along");
      System.out.printf("FleetIT: a's grant logged %.1f ms after the knock without a flood, %.1f ms during"
          + " a flood with Redis stopped (%d of its grants before, flood still running: %s)%n", calmLag / 1e6,
          floodLag / 1e6, floodGrants(), flood.isAlive());
      assertTrue(floodLag < TimeUnit.SECONDS.toNanos(1), "a's grant during the flood came " + floodLag / 1e6 + " ms late");
    } finally {
      redis.resume();
      flood.destroyForcibly();
    }
    server("b").awaitEvent(markB, "shared-grant", LONG_DOOR, during, 15);
    assertTrue(greeting(during, "b", longPort).contains(greetingOf("b")), "b learnt a's grant once Redis ran again");
  }

  private int floodGrants() {
    return server("a").all(" granted " + DOOR + " " + FleetNamespaces.FLOOD_PREFIX).size();
  }

  /**
   * At SIGTERM, each host's summary counts what it shared: a published its grants, b and c
   * applied some, and every host refused the two messages written into Redis (again if it
   * loaded them after a reconnect).
   */
  @Test
  @Order(6)
  void eachHostsSummaryCountsWhatItPublishedReceivedAppliedAndRefused() throws Exception {
    Map<String, Matcher> summaries = new LinkedHashMap<>();
    for (String host : FleetNamespaces.HOSTS) {
      server(host).stop();
      String line = server(host).find(0, "summary (fleet): ").map(Line::text).orElse("(none)");
      Matcher m = FLEET_SUMMARY.matcher(line);
      assertTrue(m.find(), "host " + host + "'s fleet summary: " + line);
      summaries.put(host, m);
      System.out.println("FleetIT: host " + host + ": " + line);
    }
    assertTrue(Long.parseLong(summaries.get("a").group("published")) >= 4, "a published its grants");
    for (String host : List.of("b", "c")) {
      Matcher m = summaries.get(host);
      assertTrue(Long.parseLong(m.group("applied")) >= 2 && Long.parseLong(m.group("received")) >= 2,
          "host " + host + " received and applied others' grants: " + m.group());
    }
    for (Matcher m : summaries.values()) {
      assertTrue(Long.parseLong(m.group("refused")) >= 2, m.group());
      assertTrue(m.group("reasons").contains("bad-signature") && m.group("reasons").contains("expired"), m.group());
    }
  }

  /** knockd's {@code knock -u} from the client's primary address, as its users knock. */
  private String[] knockCommand(String host, int[] knocks) {
    List<String> command = new ArrayList<>(List.of("knock", "-u", fleet.hostAddress(host)));
    for (int port : knocks) {
      command.add(String.valueOf(port));
    }
    return command.toArray(String[]::new);
  }

  /**
   * socat from one source address, a datagram per port, as a user's script would knock. (Not
   * netcat: {@code nc -u -w0} can quit at its input's end before it has sent the datagram; seen
   * here as a knock's last stage missing now and then.)
   */
  private void knockFrom(String source, String host, int[] knocks) throws Exception {
    StringBuilder script = new StringBuilder();
    for (int port : knocks) {
      script.append("echo | socat -u - UDP-SENDTO:").append(fleet.hostAddress(host)).append(':').append(port)
          .append(",bind=").append(source).append(" && ");
    }
    Result knocked = fleet.inClient("sh", "-c", script.append("true").toString());
    assertEquals(0, knocked.code(), knocked.output());
  }

  /** From the last knock's packet (the grant's own time) to the grant's line reaching this test. */
  private long knockAndTimeTheGrant(String source) throws Exception {
    int mark = server("a").mark();
    knockFrom(source, "a", longSequence);
    Line granted = server("a").awaitEvent(mark, "granted", LONG_DOOR, source, 10);
    return granted.arrivedNanos() - granted.eventNanos();
  }

  private String greeting(String source, String host) throws Exception {
    return greeting(source, host, greetPort);
  }

  /** What netcat from {@code source} reads from the host's greet port, or its "refused". */
  private String greeting(String source, String host, int port) throws Exception {
    return fleet.inClient("nc", "-v", "-d", "-w", "3", "-s", source, fleet.hostAddress(host), String.valueOf(port))
        .output();
  }

  private boolean refusedOnB(String source) {
    try {
      return greeting(source, "b").contains("refused");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Result ssh(String source, String command) throws Exception {
    return ssh(source, 22, command);
  }

  /** OpenSSH's client from {@code source} to c's sshd on {@code port}, with the test's key. */
  private Result ssh(String source, int port, String command) throws Exception {
    return fleet.inClient("ssh", "-p", String.valueOf(port), "-i", dir.resolve("client_key").toString(), "-b", source, "-o", "StrictHostKeyChecking=no",
        "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-o", "LogLevel=ERROR",
        "root@" + fleet.hostAddress("c"), command);
  }

  /** What is left of the source's element in c's kernel set, from nft's {@code expires 3s520ms}. */
  private long nftExpiresNanos(String source) throws Exception {
    String listing = fleet.in(fleet.hostNs("c"), "nft", "list", "set", "inet", "udpknock", DOOR + "_v4").output();
    Matcher m = Pattern.compile(Pattern.quote(source) + " timeout \\S+ expires ((\\d+)s)?((\\d+)ms)?").matcher(listing);
    assertTrue(m.find(), "no element for " + source + " on c: " + listing);
    long millis = (m.group(2) == null ? 0 : Long.parseLong(m.group(2)) * 1000) + (m.group(4) == null ? 0 : Long.parseLong(m.group(4)));
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  /** The design's message, {@code udpknock-grant/1 HOST INSTANCE DOOR SOURCE EXPIRES_MS ISSUED_MS MAC}, a random instance. */
  private static String message(KnockKey key, String host, String door, String source, long expiresMillis, long issuedMillis) {
    String signed = String.join(" ", "udpknock-grant/1", host, HexFormat.of().formatHex(RANDOM.generateSeed(8)), door, source,
        String.valueOf(expiresMillis), String.valueOf(issuedMillis));
    return signed + " " + HexFormat.of().formatHex(key.newMac().doFinal(signed.getBytes(UTF_8)));
  }

  /** SET the grant's key (until {@code expiresMillis}, or with no expiry for 0) and PUBLISH it, with redis-cli. */
  private void write(String door, String source, String message, long expiresMillis) throws Exception {
    String key = "udpknock:grant:" + door + ":" + source;
    String set = expiresMillis == 0 ? redis.cli("SET", key, message)
        : redis.cli("SET", key, message, "PXAT", String.valueOf(expiresMillis));
    assertEquals("OK", set, "SET " + key);
    assertEquals("3", redis.cli("PUBLISH", CHANNEL, message), "PUBLISH reaches the three hosts");
  }

  /** Every host logs a refusal after {@code marks}; returns the refusals. */
  private List<Line> awaitRefusedEverywhere(Map<String, Integer> marks) throws InterruptedException {
    List<Line> refusals = new ArrayList<>();
    for (String host : FleetNamespaces.HOSTS) {
      refusals.add(server(host).await(marks.get(host), "grant-message-refused", 10));
    }
    return refusals;
  }

  private Map<String, Integer> marks() {
    Map<String, Integer> marks = new LinkedHashMap<>();
    servers.forEach((host, server) -> marks.put(host, server.mark()));
    return marks;
  }

  private Server server(String host) {
    return servers.get(host);
  }

  private Path config(String host) {
    return dir.resolve(host + ".toml");
  }

  private static String greetingOf(String host) {
    return "fleet host " + host;
  }

  /** One fleet, two shared doors: greet doors on a and b, nftables doors on c guarding sshd's ports 22 and 2222. */
  private String configText(String host, Path keyFile, Path passwordFile) {
    String action = host.equals("c")
        ? "action = \"nftables\"\nport = 22\n"
        : "action = \"greet\"\nport = " + greetPort + "\ngreeting = \"" + greetingOf(host) + "\"\n";
    return String.join("\n",
        "grant_store = \"redis://" + fleet.redisAddress + ":" + redisPort + "/0\"",
        "grant_store_password_file = \"" + passwordFile + "\"",
        "fleet_key_file = \"" + keyFile + "\"",
        "host_name = \"" + host + "\"",
        host.equals("c") ? "nftables = \"require\"" : "",
        "[[door]]", "name = \"" + DOOR + "\"", "sequence = [" + Namespaces.portList(sequence).replace(",", ", ") + "]",
        "open_for = \"4s\"", "shared = true", action,
        "[[door]]", "name = \"" + LONG_DOOR + "\"", "sequence = [" + Namespaces.portList(longSequence).replace(",", ", ") + "]",
        "open_for = \"20s\"", "shared = true", host.equals("c") ? "action = \"nftables\"\nport = " + LONG_SSH_PORT
            : "action = \"greet\"\nport = " + longPort + "\ngreeting = \"" + greetingOf(host) + "\"", "");
  }

  private void startSshdOnC() throws Exception {
    ProcessLines.ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
    ProcessLines.ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_key").toString());
    Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
    Files.writeString(dir.resolve("sshd_config"), String.join("\n",
        "ListenAddress " + fleet.hostAddress("c") + ":22", "ListenAddress " + fleet.hostAddress("c") + ":" + LONG_SSH_PORT,
        "HostKey " + dir.resolve("host_key"),
        "PidFile " + dir.resolve("sshd.pid"), "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
        "PermitRootLogin prohibit-password", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
        "UsePAM no", "StrictModes no", ""));
    Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
    Process sshd = fleet.start(fleet.hostNs("c"), "/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString());
    awaitTrue(() -> listening(fleet.hostNs("c"), fleet.hostAddress("c") + ":22") || !sshd.isAlive(), () -> "sshd on c", 10);
    assertTrue(sshd.isAlive(), "sshd ended");
  }

  private boolean listening(String ns, String address) {
    try {
      return fleet.in(ns, "ss", "-Htln").output().contains(address);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
