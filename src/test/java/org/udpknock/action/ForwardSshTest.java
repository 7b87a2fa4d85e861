package org.udpknock.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.udpknock.server.LiveHarness.SECOND;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.udpknock.server.Clock;
import org.udpknock.server.LiveHarness;
import org.udpknock.server.LocalAddresses;

/**
 * A real {@code sshd} (Debian's openssh-server) on 127.0.0.1 behind a forward door, and a real
 * {@code ssh} client with a key this test generates. sshd needs root: skipped, and said so,
 * when not root and CI is unset.
 */
class ForwardSshTest {
  private Path dir;
  private Process sshd;
  private ForwardAction action;
  private int sshdPort;

  @BeforeEach
  void startSshd() throws Exception {
    if (!"0".equals(run("id", "-u").trim()) && System.getenv("CI") == null) {
      System.out.println("SKIPPED ForwardSshTest: sshd needs root (run as root, or set CI to make this a failure)");
      Assumptions.abort("not root");
    }
    dir = Files.createTempDirectory("udpknock-ssh-");
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("user_key").toString());
    Files.copy(dir.resolve("user_key.pub"), dir.resolve("authorized_keys"));
    Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory.
    sshdPort = LiveHarness.freePort();
    Files.writeString(dir.resolve("sshd_config"), String.join("\n",
        "ListenAddress 127.0.0.1", "HostKey " + dir.resolve("host_key"),
        "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PidFile " + dir.resolve("sshd.pid"),
        "PermitRootLogin prohibit-password", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
        "UsePAM no", "StrictModes no", ""));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    sshd = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString(),
        "-p", String.valueOf(sshdPort)).redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile())
        .start();
    LiveHarness.await(this::sshdListens, () -> "sshd to listen on " + sshdPort + ": " + sshdLog());
  }

  private boolean sshdListens() {
    try (Socket probe = new Socket(InetAddress.getByName("127.0.0.1"), sshdPort)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String sshdLog() {
    try {
      return Files.readString(dir.resolve("sshd.log"));
    } catch (IOException e) {
      return e.toString();
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (action != null) {
      action.close();
    }
    if (sshd != null) {
      sshd.destroy();
      sshd.waitFor(5, TimeUnit.SECONDS);
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  @Test
  void aRealSshSessionRunsACommandThroughTheRelay() throws Exception {
    long[] granted = LocalAddresses.key(InetAddress.getByName("127.0.0.1"));
    int port = LiveHarness.freePort();
    action = new ForwardAction(InetAddress.getByName("127.0.0.1"), port, "127.0.0.1:" + sshdPort, 5 * SECOND, 4,
        (hi, lo, now) -> hi == granted[0] && lo == granted[1], ForwardEvents.NONE, Clock.SYSTEM);
    action.start();
    action.opened(granted[0], granted[1], Long.MAX_VALUE);
    String out = run("ssh", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-i", dir.resolve("user_key").toString(),
        "-p", String.valueOf(port), "root@127.0.0.1", "echo ok");
    assertEquals("ok\n", out, sshdLog());
    LiveHarness.await(() -> action.counts().closed() == 1, () -> "the relay to end: " + action.counts());
    assertEquals(1, action.counts().opened());
  }

  /** Runs a command to its end (10 s at most) and returns its standard output; fails on a non-zero exit. */
  private String run(String... command) throws IOException, InterruptedException {
    Path err = Files.createTempFile("udpknock-ssh-err", ".txt");
    try {
      Process process = new ProcessBuilder(command).redirectError(err.toFile()).start();
      process.getOutputStream().close();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      boolean ended = process.waitFor(10, TimeUnit.SECONDS);
      if (!ended) {
        process.destroyForcibly();
      }
      assertTrue(ended && process.exitValue() == 0, List.of(command) + " failed: " + out + Files.readString(err));
      return out;
    } finally {
      Files.delete(err);
    }
  }
}
