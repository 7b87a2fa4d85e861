package org.udpknock.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.attack.Namespaces.Server;
import org.udpknock.server.ProcessLines.Output;
import org.udpknock.server.ProcessLines.Result;
import org.udpknock.server.ProcessLines;

/**
 * Issue 9, what held up: 20,000 connections and 280,000 spoofed SYNs to the open service port
 * left a real knocker with 0 failures in 30. Scaled down here to run in about 20-60 s (on 2 shared
 * cores: some 60,000 connections, 70,000 SYNs, 10 knocks, each knock a JVM start): while
 * hping3 sends spoofed SYNs (random sources, rounds of 10,000) and a loop opens connections
 * from an address that never knocked, the project's own client knocks 10 times and is greeted
 * 10 times. Both floods run from before the first of those knocks to after the last, and are
 * bounded in count and time. The server's namespace routes replies to the spoofed sources back
 * onto the link (where nothing takes them), so the SYNs fill its SYN queue as on a real host.
 */
class FloodKnockIT {
  private static final int KNOCKS = 10;
  private static final int SYNS_PER_ROUND = 10_000;
  /**
   * Both floods are bounded by time, not by a count that a slow hour reaches first: a CI run
   * once sent its 15 rounds of SYNs before the tenth knock's JVM had started. The counts below
   * are only a second bound, far above what the time allows.
   */
  private static final int FLOOD_SECONDS = 120;
  private static final int MAX_SYN_ROUNDS = 1_000;
  /**
   * Refused connections are reset, which a client gets through faster than a close: the loop
   * made 50,000 before the tenth knock here, where it made some 20,000 when refusals were closes.
   */
  private static final int MAX_CONNECTIONS = 4_000_000;
  /** Less than a quiet run makes (70,000 and 60,000 here), so the floods are real floods. */
  private static final int MIN_SYNS = 30_000;
  private static final int MIN_CONNECTIONS = 5_000;
  private static final Pattern TRANSMITTED = Pattern.compile("(\\d+) packets transmitted");
  /** Connects from argv[3] until the stop file exists, at most argv[5] times or argv[6] seconds. */
  private static final String CONNECT_LOOP = String.join("\n",
      "import os, socket, sys, time",
      "dst, port, src, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]",
      "most, seconds = int(sys.argv[5]), int(sys.argv[6])",
      "print('connecting', flush=True)",
      "n = accepted = 0",
      "deadline = time.monotonic() + seconds",
      "while n < most and time.monotonic() < deadline and not os.path.exists(stop):",
      "    s = socket.socket(); s.settimeout(2); s.bind((src, 0))",
      "    try:",
      "        s.connect((dst, port)); accepted += 1",
      "    except OSError:",
      "        pass",
      "    finally:",
      "        s.close()",
      "    n += 1",
      "print('connections', n, accepted, 'stopped' if os.path.exists(stop) else 'capped', flush=True)");

  private final int[] sequence = Namespaces.randomSequence();
  private final int servicePort = Namespaces.randomServicePort();
  private final AtomicBoolean stopFlood = new AtomicBoolean();
  private final AtomicLong synsSent = new AtomicLong();
  private final AtomicReference<String> floodEnd = new AtomicReference<>("running");
  @TempDir Path dir;
  private Namespaces ns;

  @BeforeEach
  void createNamespaces() throws Exception {
    ns = Namespaces.createOrSkip("FloodKnockIT");
  }

  @AfterEach
  void deleteNamespaces() throws Exception {
    stopFlood.set(true);
    if (ns != null) {
      ns.close();
    }
  }

  @Test
  void aRealKnockerIsGreetedTenTimesOutOfTenDuringSpoofedSynsAndAConnectionFlood() throws Exception {
    Server server = ns.startServer("--sequence", Namespaces.portList(sequence), "--service-port",
        String.valueOf(servicePort), "--nftables", "off");
    ProcessLines.ok("ip", "-n", ns.serverNs, "route", "add", "default", "via", ns.clientV4);
    assertGreeted(knock(), server); // opens the service port: the floods then reach the listener
    String neverKnocked = ns.addClientAddress();
    Thread flood = startSynFlood();
    Path stop = dir.resolve("stop");
    Process connections = ns.startInClient(Namespaces.PYTHON, "-c", CONNECT_LOOP, ns.serverV4,
        String.valueOf(servicePort), neverKnocked, stop.toString(), String.valueOf(MAX_CONNECTIONS),
        String.valueOf(FLOOD_SECONDS));
    Output connected = new Output(connections.getInputStream());
    server.awaitLog("refused default " + neverKnocked);
    ProcessLines.await(() -> synsSent.get() > 0 || !flood.isAlive(), () -> "a first round of SYNs: " + floodEnd);

    List<Result> knocks = new ArrayList<>();
    for (int i = 0; i < KNOCKS; i++) {
      knocks.add(knock());
    }
    Files.createFile(stop);
    stopFlood.set(true);
    flood.join(TimeUnit.SECONDS.toMillis(20));
    assertTrue(connections.waitFor(10, TimeUnit.SECONDS), "connection loop still running");
    connected.awaitEnd();

    String connectionsEnd = connected.text().strip().lines().reduce((first, last) -> last).orElse("");
    System.out.println("FloodKnockIT: " + synsSent + " spoofed SYNs, " + connectionsEnd + ", knocks: "
        + knocks.stream().filter(r -> r.code() == 0).count() + "/" + KNOCKS);
    for (Result knock : knocks) {
      assertGreeted(knock, server);
    }
    assertEquals("stopped", floodEnd.get(), "the SYN flood ran until the last knock; sent " + synsSent);
    assertTrue(connectionsEnd.endsWith("stopped"), "the connections ran until the last knock: " + connectionsEnd);
    assertTrue(synsSent.get() >= MIN_SYNS, "at least " + MIN_SYNS + " spoofed SYNs: " + synsSent);
    assertTrue(Long.parseLong(connectionsEnd.split(" ")[1]) >= MIN_CONNECTIONS,
        "at least " + MIN_CONNECTIONS + " connections: " + connectionsEnd);
    assertFalse(server.stop().contains(" 0 granted"), server.log());
  }

  private Result knock() throws Exception {
    return ns.knock(ns.serverV4, "--source", ns.clientV4, "--sequence", Namespaces.portList(sequence),
        "--service-port", String.valueOf(servicePort));
  }

  private static void assertGreeted(Result knock, Server server) {
    assertEquals(0, knock.code(), "udpknock knock: " + knock.output() + "\nlog tail:\n" + tail(server.log()));
    assertEquals(Namespaces.GREETING, knock.output().strip());
  }

  /**
   * hping3 rounds until {@link #stopFlood}, at most FLOOD_SECONDS (or MAX_SYN_ROUNDS); what
   * ended it goes to {@link #floodEnd}.
   */
  private Thread startSynFlood() {
    Thread thread = new Thread(() -> {
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(FLOOD_SECONDS);
        int round = 0;
        for (; round < MAX_SYN_ROUNDS && System.nanoTime() < deadline && !stopFlood.get(); round++) {
          Result result = ns.inClient("hping3", "-q", "-S", "--rand-source", "-p", String.valueOf(servicePort),
              "-c", String.valueOf(SYNS_PER_ROUND), "--faster", ns.serverV4);
          Matcher sent = TRANSMITTED.matcher(result.output());
          if (!sent.find()) {
            floodEnd.set("hping3 failed (apt-get install hping3): " + result.output());
            return;
          }
          synsSent.addAndGet(Long.parseLong(sent.group(1)));
        }
        floodEnd.set(stopFlood.get() ? "stopped" : "capped after " + round + " rounds");
      } catch (Exception e) {
        floodEnd.set("failed: " + e);
      }
    }, "syn-flood");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static String tail(String log) {
    List<String> lines = log.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }
}
