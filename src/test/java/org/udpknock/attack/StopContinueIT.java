package org.udpknock.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.udpknock.attack.Namespaces.Server;
import org.udpknock.server.ProcessLines.Result;
import org.udpknock.server.ProcessLines;

/**
 * Issue 9, what held up: the packaged server stopped with SIGSTOP and continued with SIGCONT
 * (as a debugger, a job-control shell or an overloaded host does) goes on: the knock sent while
 * it was stopped waits in the capture buffer and is granted on SIGCONT, a new knock is granted
 * and greeted, and SIGTERM still gives the summary and exit code 0.
 */
class StopContinueIT {
  private final int[] sequence = Namespaces.randomSequence();
  private final int servicePort = Namespaces.randomServicePort();
  private Namespaces ns;

  @BeforeEach
  void createNamespaces() throws Exception {
    ns = Namespaces.createOrSkip("StopContinueIT");
  }

  @AfterEach
  void deleteNamespaces() throws Exception {
    if (ns != null) {
      ns.close();
    }
  }

  @Test
  void aStoppedThenContinuedServerStillGrantsGreetsAndStopsCleanly() throws Exception {
    Server server = ns.startServer("--sequence", Namespaces.portList(sequence), "--service-port",
        String.valueOf(servicePort), "--nftables", "off");
    long pid = server.process.pid(); // ip netns exec execs the JVM: the same process
    signal("STOP", pid);
    ProcessLines.await(() -> state(pid) == 'T', () -> "process " + pid + " stopped, state " + state(pid));
    String whileStopped = ns.addClientAddress();
    Result knock = knock(whileStopped, "--no-connect");
    assertEquals(0, knock.code(), knock.output());
    assertEquals('T', state(pid), "still stopped after the knock");
    assertFalse(server.log().contains("granted"), server.log());

    signal("CONT", pid);
    server.awaitLog("granted default " + whileStopped + "\n");
    Result greeted = knock(ns.clientV4);
    assertEquals(0, greeted.code(), "a knock after SIGCONT: " + greeted.output() + "\nlog:\n" + server.log());
    assertEquals(Namespaces.GREETING, greeted.output().strip());
    String summary = server.stop();
    assertTrue(summary.contains("2 granted"), summary);
  }

  private Result knock(String source, String... extra) throws Exception {
    String[] args = {ns.serverV4, "--source", source, "--sequence", Namespaces.portList(sequence),
        "--service-port", String.valueOf(servicePort)};
    String[] all = new String[args.length + extra.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(extra, 0, all, args.length, extra.length);
    return ns.knock(all);
  }

  private static void signal(String name, long pid) throws Exception {
    ProcessLines.ok("kill", "-" + name, String.valueOf(pid));
  }

  /** The state letter of /proc/PID/stat (T: stopped), or '?' once the process is gone. */
  private static char state(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2);
    } catch (java.io.IOException e) {
      return '?';
    }
  }
}
