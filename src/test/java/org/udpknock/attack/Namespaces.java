package org.udpknock.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.udpknock.server.ProcessLines.await;
import static org.udpknock.server.ProcessLines.javaCommand;
import static org.udpknock.server.ProcessLines.ok;
import static org.udpknock.server.ProcessLines.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.udpknock.server.ProcessLines;
import org.udpknock.server.ProcessLines.Output;
import org.udpknock.server.ProcessLines.Result;

/**
 * Two network namespaces this test creates, joined by a veth pair: the packaged server sniffs
 * its end in the server namespace, the attacker's tools run in the client namespace. The 10.x
 * and fd00: addresses live on that link only; {@link #close} deletes both namespaces, which
 * takes the veth pair (and any nftables table) with them.
 */
public final class Namespaces implements AutoCloseable {
  public static final Path JAR = Path.of("target", "udpknock.jar").toAbsolutePath();
  public static final String PYTHON = "/usr/bin/python3"; // Debian's, which has python3-scapy
  public static final String GREETING = "Bonjour, vous avez réussi la séquence UDP !";
  private static final Random RANDOM = new Random();

  private final String suffix = Integer.toHexString(0x1000 + RANDOM.nextInt(0xefff));
  public final String serverNs = "ukxs" + suffix;
  public final String clientNs = "ukxc" + suffix;
  final String serverEnd = "ukxs" + suffix;
  final String clientEnd = "ukxc" + suffix;
  /** A /24 of the link: the server is .1, the client's addresses are .2 and up. */
  final String net = "10.234." + RANDOM.nextInt(256) + ".";
  final String net6 = "fd00:234:" + Integer.toHexString(RANDOM.nextInt(0xffff)) + "::";
  public final String serverV4 = net + "1";
  public final String serverV6 = net6 + "1";
  public final String clientV4 = net + "2";
  public final String clientV6 = net6 + "2";
  private final List<Process> processes = new ArrayList<>();
  private int nextClientAddress = 3;

  private Namespaces() {}

  /** Three ports of the test's own, far apart and out of order (no sweep completes them). */
  public static int[] randomSequence() {
    return new int[] {30000 + RANDOM.nextInt(5000), 40000 + RANDOM.nextInt(5000), 35000 + RANDOM.nextInt(5000)};
  }

  public static String portList(int... ports) {
    StringBuilder list = new StringBuilder();
    for (int port : ports) {
      list.append(list.length() == 0 ? "" : ",").append(port);
    }
    return list.toString();
  }

  /** A TCP port of the test's own for the service. */
  public static int randomServicePort() {
    return 20000 + RANDOM.nextInt(9000);
  }

  /** Creates the pair, or skips the test (saying why) when not root and CI is unset. */
  public static Namespaces createOrSkip(String testName) throws Exception {
    assertTrue(Files.exists(JAR), "run after 'mvn package': " + JAR);
    ProcessLines.skipUnlessRootOrCi(testName, "network namespaces and capture need root (run as root, or set CI to make this a failure)");
    Namespaces pair = new Namespaces();
    try {
      pair.create();
    } catch (Throwable e) {
      pair.close();
      throw e;
    }
    return pair;
  }

  private void create() throws Exception {
    ok("ip", "netns", "add", serverNs);
    ok("ip", "netns", "add", clientNs);
    ok("ip", "link", "add", serverEnd, "netns", serverNs, "type", "veth", "peer", "name", clientEnd,
        "netns", clientNs);
    configure(serverNs, serverEnd, serverV4, serverV6);
    configure(clientNs, clientEnd, clientV4, clientV6);
  }

  private static void configure(String ns, String dev, String v4, String v6) throws Exception {
    ok("ip", "-n", ns, "link", "set", "lo", "up");
    ok("ip", "-n", ns, "addr", "add", v4 + "/24", "dev", dev);
    ok("ip", "-n", ns, "-6", "addr", "add", v6 + "/64", "dev", dev, "nodad");
    ok("ip", "-n", ns, "link", "set", dev, "up");
  }

  /** Adds one more IPv4 address to the client's end and returns it: a source of its own. */
  String addClientAddress() throws Exception {
    String address = net + nextClientAddress++;
    ok("ip", "-n", clientNs, "addr", "add", address + "/24", "dev", clientEnd);
    return address;
  }

  /** The MAC address of the server's end, for frames that scapy sends from the client's. */
  String serverMac() throws Exception {
    return inServer("cat", "/sys/class/net/" + serverEnd + "/address").output().strip();
  }

  public Result inServer(String... command) throws Exception {
    return run(in(serverNs, command));
  }

  public Result inClient(String... command) throws Exception {
    return run(in(clientNs, command));
  }

  /** Starts a command in the client namespace without waiting for it; closed with the pair. */
  Process startInClient(String... command) throws IOException {
    Process process = new ProcessBuilder(in(clientNs, command)).redirectErrorStream(true).start();
    processes.add(process);
    return process;
  }

  /** {@code udpknock knock} from the client namespace (the packaged jar). */
  Result knock(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(javaCommand(), "-jar", JAR.toString(), "knock"));
    command.addAll(List.of(args));
    return inClient(command.toArray(String[]::new));
  }

  /** The packaged server in the server namespace, sniffing its end; returns once it listens. */
  public Server startServer(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(javaCommand(), "-jar", JAR.toString(), "server", "-i", serverEnd));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(in(serverNs, command.toArray(String[]::new)))
        .redirectErrorStream(true).start();
    processes.add(process);
    Server server = new Server(process);
    server.awaitLog("listening interface " + serverEnd);
    return server;
  }

  @Override
  public void close() throws Exception {
    processes.forEach(Process::destroyForcibly);
    for (Process process : processes) {
      process.waitFor(5, TimeUnit.SECONDS);
    }
    run("ip", "netns", "del", clientNs);
    run("ip", "netns", "del", serverNs);
  }

  private static String[] in(String ns, String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    full.addAll(List.of(command));
    return full.toArray(String[]::new);
  }

  /** A packaged server process, its output gathered as it comes. */
  public static final class Server {
    final Process process;
    private final Output output;

    Server(Process process) {
      this.process = process;
      this.output = new Output(process.getInputStream());
    }

    public String log() {
      return output.text();
    }

    public void awaitLog(String text) throws InterruptedException {
      await(() -> log().contains(text) || !process.isAlive(),
          () -> "'" + text + "' in the server log:\n" + log());
      assertTrue(log().contains(text), () -> "server ended before '" + text + "':\n" + log());
    }

    /** SIGTERM: returns the summary line after checking exit code 0. */
    String stop() throws InterruptedException {
      process.toHandle().destroy();
      assertTrue(process.waitFor(5, TimeUnit.SECONDS), "server still running 5 s after SIGTERM");
      output.awaitEnd();
      assertEquals(0, process.exitValue(), "exit code after SIGTERM; log:\n" + log());
      return log().lines().filter(line -> line.startsWith("summary")).findFirst()
          .orElseGet(() -> fail("no summary after SIGTERM:\n" + log()));
    }
  }
}
