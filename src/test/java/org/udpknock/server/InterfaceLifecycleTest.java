package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.udpknock.server.LiveHarness.SECOND;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.udpknock.capture.PcapCapture;
import org.udpknock.core.KnockSequence;
import org.udpknock.decode.LinkType;
import org.udpknock.report.EventWriter;

/**
 * The capture interface comes and goes: a veth pair whose peer lives in a network namespace
 * this test creates, the server capturing on the host end. Knocks and connections come from
 * inside the namespace, so no traffic leaves the test's own links. Needs root (network
 * namespaces, capture): skipped, and said so, when not root and CI is unset.
 */
class InterfaceLifecycleTest {
  private static final Random RANDOM = new Random();
  private static final String GREETING = ServerConfig.DEFAULT_GREETING;

  private final String suffix = Integer.toHexString(0x1000 + RANDOM.nextInt(0xefff));
  private final String namespace = "ukf" + suffix;
  private final String hostEnd = "ukfh" + suffix;
  private final String peerEnd = "ukfp" + suffix;
  private final int subnet = RANDOM.nextInt(64) * 4; // a /30 in 10.231.X.0/24
  private final String third = String.valueOf(RANDOM.nextInt(256));
  private final String hostAddress = "10.231." + third + "." + (subnet + 1);
  private final String peerAddress = "10.231." + third + "." + (subnet + 2);
  private final StringWriter log = new StringWriter();
  private KnockSequence sequence;
  private int servicePort;
  private ReopeningSource source;
  private KnockServer server;
  private Thread thread;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  @BeforeEach
  void needsRoot() throws Exception {
    if (!isRoot() && System.getenv("CI") == null) {
      System.out.println("SKIPPED InterfaceLifecycleTest: network namespaces and capture need root"
          + " (run as root, or set CI to make this a failure)");
      Assumptions.abort("not root");
    }
    int base = 40000 + RANDOM.nextInt(2000) * 3;
    sequence = KnockSequence.of(base, base + 2, base + 1);
    servicePort = LiveHarness.freePort();
    ip("netns", "add", namespace);
  }

  @AfterEach
  void cleanUp() throws Exception {
    try {
      if (server != null) {
        server.stop();
        assertTrue(server.awaitFinished(2, TimeUnit.SECONDS) || thread.getState() == Thread.State.TERMINATED,
            "server did not stop within 2 s");
        thread.join(1000);
        source.close();
      }
    } finally {
      run(List.of("ip", "link", "del", hostEnd)); // Gone already when the test passed: ignore failure.
      run(List.of("ip", "netns", "del", namespace));
    }
    assertNull(failure.get(), () -> "server failed: " + failure.get() + "\nlog:\n" + log);
  }

  @Test
  void theServerKeepsItsGrantsWhenTheInterfaceGoesAndResumesWhenItComesBack() throws Exception {
    createLink();
    startServer(false);
    awaitLog("listening interface " + hostEnd, 5);
    knockFromNamespace();
    awaitLog("granted default " + peerAddress, 5);
    assertEquals(GREETING, greetingFromNamespace());

    ip("link", "del", hostEnd);
    awaitLog("capture-lost interface " + hostEnd, 10);
    assertTrue(thread.isAlive(), "the server keeps running\n" + log);

    createLink();
    awaitLog("capture-resumed interface " + hostEnd, 15);
    // (a) The grant made before the loss still serves: it lives in the server, not the capture.
    assertEquals(GREETING, greetingFromNamespace());
    assertEquals(1, count("granted default " + peerAddress));
    // (b) A new knock, captured by the reopened handle, is granted.
    knockFromNamespace();
    await(() -> count("granted default " + peerAddress) == 2, "a second grant", 5);
    assertFalse(log.toString().contains("capture-error"), log.toString());
  }

  @Test
  void waitForInterfaceStartsCapturingWhenTheInterfaceIsCreated() throws Exception {
    startServer(true);
    awaitLog("capture-waiting interface " + hostEnd, 5);
    assertFalse(log.toString().contains("listening"), log.toString());
    createLink();
    awaitLog("listening interface " + hostEnd, 15);
    knockFromNamespace();
    awaitLog("granted default " + peerAddress, 5);
    assertEquals(GREETING, greetingFromNamespace());
  }

  private void startServer(boolean waitForInterface) {
    ServerConfig config = ServerConfig.singleDoor(hostEnd, sequence, 5 * SECOND, 1000, servicePort, 30 * SECOND,
        null, GREETING, true);
    EventWriter writer = EventWriter.create(false, new PrintWriter(log, true));
    String filter = config.captureFilter();
    source = new ReopeningSource(hostEnd, filter, () -> PcapCapture.open(hostEnd, filter), writer, Clock.SYSTEM);
    server = new KnockServer(config, source, writer, Clock.SYSTEM);
    thread = new Thread(() -> {
      try {
        if (source.openFirst(waitForInterface)) {
          server.run(LinkType.name(source.linkType()));
        }
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "lifecycle-server");
    thread.start();
  }

  private void createLink() throws Exception {
    ip("link", "add", hostEnd, "type", "veth", "peer", "name", peerEnd, "netns", namespace);
    ip("addr", "add", hostAddress + "/30", "dev", hostEnd);
    ip("link", "set", hostEnd, "up");
    ip("netns", "exec", namespace, "ip", "addr", "add", peerAddress + "/30", "dev", peerEnd);
    ip("netns", "exec", namespace, "ip", "link", "set", peerEnd, "up");
  }

  private void knockFromNamespace() throws Exception {
    StringBuilder script = new StringBuilder();
    for (int port : sequence.ports()) {
      script.append("echo > /dev/udp/").append(hostAddress).append('/').append(port).append("; ");
    }
    Result result = run(List.of("ip", "netns", "exec", namespace, "bash", "-c", script.toString()));
    assertEquals(0, result.code, "knock default from the namespace: " + result.output);
  }

  /** Reads the greeting from inside the namespace, retrying while the port is still opening. */
  private String greetingFromNamespace() throws Exception {
    String script = "exec 3<>/dev/tcp/" + hostAddress + "/" + servicePort + " && cat <&3";
    long deadline = System.nanoTime() + 3 * SECOND;
    while (true) {
      Result result = run(List.of("ip", "netns", "exec", namespace, "timeout", "5", "bash", "-c", script));
      if (result.code == 0 || System.nanoTime() > deadline) {
        return result.output.strip();
      }
      Thread.sleep(20);
    }
  }

  private long count(String text) {
    return log.toString().lines().filter(line -> line.contains(text)).count();
  }

  private void awaitLog(String text, int seconds) throws InterruptedException {
    await(() -> log.toString().contains(text), "log line containing '" + text + "'", seconds);
  }

  private void await(BooleanSupplier condition, String what, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + seconds * SECOND;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + seconds + " s waiting for " + what + "\nlog:\n" + log);
      }
      if (failure.get() != null) {
        fail("server failed: " + failure.get() + "\nlog:\n" + log);
      }
      Thread.sleep(5);
    }
  }

  private static void ip(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("ip");
    command.addAll(List.of(args));
    Result result = run(command);
    assertEquals(0, result.code, String.join(" ", command) + ": " + result.output);
  }

  private record Result(int code, String output) {}

  private static Result run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return new Result(-1, String.join(" ", command) + " still running after 10 s");
    }
    return new Result(process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static boolean isRoot() throws IOException, InterruptedException {
    return run(List.of("id", "-u")).output.strip().equals("0");
  }
}
