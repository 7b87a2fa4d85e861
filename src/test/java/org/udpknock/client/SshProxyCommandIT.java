package org.udpknock.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.attack.Namespaces;
import org.udpknock.server.ProcessLines;

/**
 * {@code ProxyCommand udpknock knock --pipe %h %p}, end to end with real components only: Debian's
 * sshd on port 22 in a server namespace behind an nftables door of the packaged server, and
 * OpenSSH's {@code ssh} in a client namespace running the packaged jar (or the Python client) as its
 * ProxyCommand. Needs
 * root: skipped, and said so, when not root and CI is unset.
 */
class SshProxyCommandIT {
  @TempDir Path dir;
  private final int[] sequence = Namespaces.randomSequence();
  private Namespaces pair;
  private Namespaces.Server server;

  @BeforeEach
  void startSshdBehindADoor() throws Exception {
    pair = Namespaces.createOrSkip("SshProxyCommandIT");
    startSshd();
    Path config = dir.resolve("udpknock.toml");
    Files.writeString(config, String.join("\n", "nftables = \"require\"", "[[door]]", "name = \"ssh\"",
        "sequence = [" + Namespaces.portList(sequence).replace(",", ", ") + "]", "open_for = \"30s\"",
        "action = \"nftables\"", "port = 22", ""));
    server = pair.startServer("--config", config.toString());
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (pair != null) {
      stopSshd();
      pair.close();
    }
  }

  @Test
  void plainSshIsResetButThroughTheProxyCommandItRunsACommand() throws Exception {
    ProcessLines.Result plain = ssh(List.of(), "echo plain");
    assertEquals(255, plain.code(), "ssh without the knock: " + plain.output());
    assertTrue(plain.output().contains("Connection refused"), plain.output());

    ProcessLines.Result piped = ssh(proxyCommand(Namespaces.portList(sequence)), "echo through the pipe");
    assertEquals(0, piped.code(), piped.output() + "\nserver:\n" + server.log());
    assertEquals("through the pipe", piped.output().strip());
    assertTrue(server.log().contains("nft-allowed ssh " + pair.clientV4 + " "), server.log());
  }

  /** The Python client (no Java on the client) as the ProxyCommand, the same way. */
  @Test
  void thePythonClientIsAProxyCommandToo() throws Exception {
    List<String> options = List.of("-o", "ProxyCommand=" + Namespaces.PYTHON + " " + PythonClientIT.SCRIPT
        + " --sequence " + Namespaces.portList(sequence) + " --pipe %h %p");
    ProcessLines.Result piped = ssh(options, "echo through python");
    assertEquals(0, piped.code(), piped.output() + "\nserver:\n" + server.log());
    assertEquals("through python", piped.output().strip());
  }

  /** A megabyte each way through ssh, stdin to a remote sha256sum and back: every byte relayed, and a clean end. */
  @Test
  void aMegabyteGoesThroughAndTheSessionEndsCleanly() throws Exception {
    byte[] data = new byte[1 << 20];
    new Random().nextBytes(data);
    Path input = Files.write(dir.resolve("input"), data);
    List<String> command = sshCommand(proxyCommand(Namespaces.portList(sequence)),
        "sha256sum; head -c 1048576 /dev/zero | sha256sum");
    command.add("<" + input);
    ProcessLines.Result run = pair.inClient("sh", "-c", String.join(" ", quoted(command)));
    String zeros = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[1 << 20]));
    String sent = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    assertEquals(0, run.code(), run.output());
    assertEquals(sent + "  -\n" + zeros + "  -\n", run.output());
  }

  /** The wrong sequence: ssh fails, and the ProxyCommand says why on stderr (stdout is ssh's). */
  @Test
  void aWrongKnockIsOneSentenceFromTheProxyCommandAndSshFails() throws Exception {
    int[] wrong = {sequence[0], sequence[2], sequence[1]};
    List<String> options = new ArrayList<>(proxyCommand(Namespaces.portList(wrong)));
    options.set(1, options.get(1).replace(" knock ", " knock --connect-timeout 1s "));
    ProcessLines.Result run = ssh(options, "echo never");
    assertNotEquals(0, run.code(), run.output());
    assertTrue(run.output().contains("udpknock knock: could not connect to " + pair.serverV4
        + " port 22 within 1000 ms of the knock"), run.output());
    assertTrue(!server.log().contains("nft-allowed"), server.log());
  }

  private List<String> proxyCommand(String ports) {
    return List.of("-o", "ProxyCommand=" + ProcessLines.javaCommand() + " -jar " + Namespaces.JAR
        + " knock --sequence " + ports + " --pipe %h %p");
  }

  private ProcessLines.Result ssh(List<String> options, String remoteCommand) throws Exception {
    return pair.inClient(sshCommand(options, remoteCommand).toArray(String[]::new));
  }

  private List<String> sshCommand(List<String> options, String remoteCommand) {
    List<String> command = new ArrayList<>(List.of("ssh", "-i", dir.resolve("client_key").toString(),
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
        "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR"));
    command.addAll(options);
    command.addAll(List.of("root@" + pair.serverV4, remoteCommand));
    return command;
  }

  /** Each word in single quotes for sh -c, but the last (a redirection). */
  private static List<String> quoted(List<String> words) {
    List<String> quoted = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      quoted.add(i == words.size() - 1 ? word : "'" + word.replace("'", "'\\''") + "'");
    }
    return quoted;
  }

  private void startSshd() throws Exception {
    ProcessLines.ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("host_key").toString());
    ProcessLines.ok("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve("client_key").toString());
    Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
    Files.writeString(dir.resolve("sshd_config"), String.join("\n",
        "Port 22", "ListenAddress " + pair.serverV4, "HostKey " + dir.resolve("host_key"),
        "PidFile " + dir.resolve("sshd.pid"), "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
        "PermitRootLogin prohibit-password", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
        "UsePAM no", "StrictModes no", ""));
    Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
    // Without -D sshd detaches; deleting the namespace does not end it, its pid file does (cleanUp).
    ProcessLines.Result started = pair.inServer("/usr/sbin/sshd", "-f", dir.resolve("sshd_config").toString());
    assertEquals(0, started.code(), "sshd: " + started.output());
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!pair.inServer("ss", "-Htln", "sport = :22").output().contains(pair.serverV4 + ":22")) {
      assertTrue(System.nanoTime() < deadline, "sshd not listening within 10 s");
      Thread.sleep(50);
    }
  }

  private void stopSshd() throws Exception {
    Path pidFile = dir.resolve("sshd.pid");
    if (Files.exists(pidFile)) {
      ProcessLines.run("kill", Files.readString(pidFile).strip());
    }
  }
}
