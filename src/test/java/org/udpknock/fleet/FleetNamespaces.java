package org.udpknock.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.udpknock.server.ProcessLines.ok;
import static org.udpknock.server.ProcessLines.run;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.udpknock.server.ProcessLines;
import org.udpknock.server.ProcessLines.Result;

/**
 * A small fleet in network namespaces that this test creates: a "lan" namespace holding a bridge
 * (and the redis-server, on the bridge's address), hosts {@code a}, {@code b} and {@code c} on
 * veths to it, and a client namespace on another veth, with as many source addresses as the test
 * asks for. Every address is a 10.x one of that bridge only; {@link #close} ends every process
 * started here and deletes the namespaces, which takes the veths, the bridge and any nftables
 * table with them.
 */
final class FleetNamespaces implements AutoCloseable {
  static final Path JAR = Path.of("target", "udpknock.jar").toAbsolutePath();
  static final List<String> HOSTS = List.of("a", "b", "c");
  /** Where the spoofed sources of a flood come from: outside the bridge's /24. */
  static final String FLOOD_PREFIX = "10.237.";
  private static final Random RANDOM = new Random();

  private final String suffix = Integer.toHexString(0x1000 + RANDOM.nextInt(0xefff));
  final String lanNs = "ukfl" + suffix;
  final String clientNs = "ukfk" + suffix;
  /** A /24 of the bridge: hosts a, b, c are .1-.3, the client's sources .10 and up, Redis .254. */
  private final String net = "10.236." + RANDOM.nextInt(256) + ".";
  final String redisAddress = net + "254";
  final String clientEnd = "ukfk" + suffix;
  private final Map<String, String> hostAddresses = new LinkedHashMap<>();
  private final List<Process> processes = new CopyOnWriteArrayList<>();
  private int nextClientAddress = 10;
  private RedisProcess redis;

  private FleetNamespaces() {
    for (int i = 0; i < HOSTS.size(); i++) {
      hostAddresses.put(HOSTS.get(i), net + (i + 1));
    }
  }

  /** Creates the fleet's namespaces, or skips the test (saying why) when not root and CI is unset. */
  static FleetNamespaces createOrSkip(String testName) throws Exception {
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    ProcessLines.skipUnlessRootOrCi(testName, "network namespaces, capture, nftables and sshd need root (run as root, or set CI to make this a failure)");
    FleetNamespaces fleet = new FleetNamespaces();
    try {
      fleet.create();
    } catch (Throwable e) {
      fleet.close();
      throw e;
    }
    return fleet;
  }

  private void create() throws Exception {
    ok("ip", "netns", "add", lanNs);
    ok("ip", "-n", lanNs, "link", "set", "lo", "up");
    ok("ip", "-n", lanNs, "link", "add", "br0", "type", "bridge");
    ok("ip", "-n", lanNs, "addr", "add", redisAddress + "/24", "dev", "br0");
    ok("ip", "-n", lanNs, "link", "set", "br0", "up");
    for (String host : HOSTS) {
      attach(hostNs(host), hostEnd(host), hostAddress(host));
    }
    attach(clientNs, clientEnd, addClientAddressName());
  }

  /** A namespace on a veth to the bridge, its end holding {@code address}. */
  private void attach(String ns, String end, String address) throws Exception {
    ok("ip", "netns", "add", ns);
    ok("ip", "-n", ns, "link", "set", "lo", "up");
    ok("ip", "link", "add", end, "netns", ns, "type", "veth", "peer", "name", "p" + end, "netns", lanNs);
    ok("ip", "-n", lanNs, "link", "set", "p" + end, "master", "br0");
    ok("ip", "-n", lanNs, "link", "set", "p" + end, "up");
    ok("ip", "-n", ns, "addr", "add", address + "/24", "dev", end);
    ok("ip", "-n", ns, "link", "set", end, "up");
  }

  private String addClientAddressName() {
    return net + nextClientAddress++;
  }

  /** The client's first address: what it sends from when it binds nothing (knockd's {@code knock}). */
  String clientPrimary() {
    return net + 10;
  }

  /** One more source address of the client's, secondary (never chosen unless bound). */
  String addClientAddress() throws Exception {
    String address = addClientAddressName();
    ok("ip", "-n", clientNs, "addr", "add", address + "/24", "dev", clientEnd);
    return address;
  }

  String hostNs(String host) {
    return "ukf" + host + suffix;
  }

  String hostEnd(String host) {
    return "ukf" + host + suffix;
  }

  String hostAddress(String host) {
    return hostAddresses.get(host);
  }

  /** The MAC address of a host's end, for the frames scapy sends it from the client's. */
  String hostMac(String host) throws Exception {
    return in(hostNs(host), "cat", "/sys/class/net/" + hostEnd(host) + "/address").output().strip();
  }

  Result inClient(String... command) throws Exception {
    return in(clientNs, command);
  }

  Result in(String ns, String... command) throws Exception {
    return run(netnsExec(ns, command));
  }

  /** Starts a command in {@code ns} without waiting for it; ended by {@link #close} if still running. */
  Process start(String ns, String... command) throws IOException {
    Process process = new ProcessBuilder(netnsExec(ns, command)).redirectErrorStream(true).start();
    processes.add(process);
    return process;
  }

  /** The packaged server on a host, sniffing its end with {@code config}; see {@link #awaitListening}. */
  Server launchServer(String host, Path config) throws Exception {
    Process process = start(hostNs(host), ProcessLines.javaCommand(), "-jar", JAR.toString(), "server",
        "--config", config.toString(), "-i", hostEnd(host));
    return new Server(host, process);
  }

  /** Once a launched server sniffs its host's end. */
  Server awaitListening(Server server) throws InterruptedException {
    server.await(0, "listening interface " + hostEnd(server.host), 30);
    return server;
  }

  /**
   * A redis-server in the lan namespace on the bridge's address, asking for {@code password}
   * (on its command line: a test's own), started now; {@link #close} ends it.
   */
  RedisProcess startRedis(int port, String password, Path dir) throws Exception {
    redis = RedisProcess.start(List.of("ip", "netns", "exec", lanNs), redisAddress, port, dir, password,
        List.of("--requirepass", password, "--protected-mode", "no"));
    return redis;
  }

  @Override
  public void close() throws Exception {
    if (redis != null) {
      redis.close();
    }
    processes.forEach(Process::destroyForcibly);
    for (Process process : processes) {
      process.waitFor(5, TimeUnit.SECONDS);
    }
    run("ip", "netns", "del", clientNs);
    for (String host : HOSTS) {
      run("ip", "netns", "del", hostNs(host));
    }
    run("ip", "netns", "del", lanNs);
  }

  static String[] netnsExec(String ns, String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    full.addAll(List.of(command));
    return full.toArray(String[]::new);
  }

  /** The wall clock in epoch nanoseconds, as the servers' event times (the namespaces share the clock). */
  static long nowNanos() {
    return epochNanos(Instant.now());
  }

  private static long epochNanos(Instant time) {
    return time.getEpochSecond() * 1_000_000_000L + time.getNano();
  }

  /** Polls {@code condition} every 20 ms, at most {@code seconds}; fails naming {@code what}. */
  static void awaitTrue(BooleanSupplier condition, Supplier<String> what, double seconds) throws InterruptedException {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + seconds + " s waiting for " + what.get());
      }
      Thread.sleep(20);
    }
  }

  /** A line of a server's output and when it arrived here, in epoch nanoseconds (the hosts share the clock). */
  record Line(long arrivedNanos, String text) {
    /** The event's own time, the line's first word. */
    long eventNanos() {
      return epochNanos(Instant.parse(text.substring(0, text.indexOf(' '))));
    }

    /** The word after {@code field} in {@code ... field VALUE ...}. */
    String field(String field) {
      String[] words = text.split(" ");
      for (int i = 0; i + 1 < words.length; i++) {
        if (words[i].equals(field)) {
          return words[i + 1];
        }
      }
      return fail("no field '" + field + "' in: " + text);
    }
  }

  /** A packaged server on one host: its output as timestamped lines, read as they come. */
  static final class Server {
    final String host;
    final Process process;
    private final List<Line> lines = Collections.synchronizedList(new ArrayList<>()); // a flood logs many
    private final Thread reader;

    Server(String host, Process process) {
      this.host = host;
      this.process = process;
      this.reader = new Thread(this::read, "server-" + host);
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(new Line(nowNanos(), line));
        }
      } catch (IOException e) {
        lines.add(new Line(0, "(output ended: " + e + ")"));
      }
    }

    /** How many lines so far: pass it to {@link #await} to find only later ones. */
    int mark() {
      return lines.size();
    }

    /** The log, but the flood's lines (counted): what explains a failure. */
    String log() {
      StringBuilder text = new StringBuilder();
      int flood = 0;
      synchronized (lines) {
        for (Line line : lines) {
          if (line.text().contains(" " + FLOOD_PREFIX)) {
            flood++;
          } else {
            text.append(line.text()).append('\n');
          }
        }
      }
      return text.append(flood == 0 ? "" : "(and " + flood + " lines about the flood's sources)\n").toString();
    }

    /** The first line from {@code from} on containing {@code text}, if any yet. */
    Optional<Line> find(int from, String text) {
      for (int i = from; i < lines.size(); i++) {
        if (lines.get(i).text().contains(text)) {
          return Optional.of(lines.get(i));
        }
      }
      return Optional.empty();
    }

    List<Line> all(String text) {
      synchronized (lines) {
        return lines.stream().filter(line -> line.text().contains(text)).toList();
      }
    }

    /** The first line from {@code from} on of {@code TIME EVENT DOOR SOURCE ...}, if any yet. */
    Optional<Line> findEvent(int from, String event, String door, String source) {
      String head = " " + event + " " + door + " " + source;
      for (int i = from; i < lines.size(); i++) {
        String text = lines.get(i).text();
        int at = text.indexOf(head);
        if (at > 0 && (text.length() == at + head.length() || text.charAt(at + head.length()) == ' ')) {
          return Optional.of(lines.get(i));
        }
      }
      return Optional.empty();
    }

    /** The first {@code EVENT DOOR SOURCE} line from {@code from} on, waited for at most {@code seconds}. */
    Line awaitEvent(int from, String event, String door, String source, double seconds) throws InterruptedException {
      String what = event + " " + door + " " + source;
      awaitTrue(() -> findEvent(from, event, door, source).isPresent() || !process.isAlive(),
          () -> "'" + what + "' in host " + host + "'s log:\n" + log(), seconds);
      return findEvent(from, event, door, source)
          .orElseGet(() -> fail("host " + host + "'s server ended before '" + what + "':\n" + log()));
    }

    /** The first line from {@code from} on containing {@code text}, waited for at most {@code seconds}. */
    Line await(int from, String text, double seconds) throws InterruptedException {
      awaitTrue(() -> find(from, text).isPresent() || !process.isAlive(),
          () -> "'" + text + "' in host " + host + "'s log:\n" + log(), seconds);
      return find(from, text).orElseGet(() -> fail("host " + host + "'s server ended before '" + text + "':\n" + log()));
    }

    /** SIGTERM, as systemd stops it: exit code 0, within 5 s. */
    void stop() throws InterruptedException {
      process.toHandle().destroy();
      assertTrue(process.waitFor(5, TimeUnit.SECONDS), "host " + host + "'s server still running 5 s after SIGTERM");
      reader.join(5000);
      assertEquals(0, process.exitValue(), "host " + host + "'s exit code after SIGTERM; log:\n" + log());
    }
  }
}
