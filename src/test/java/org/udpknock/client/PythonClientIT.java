package org.udpknock.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.attack.Namespaces;
import org.udpknock.auth.KeyFile;
import org.udpknock.auth.ServerId;
import org.udpknock.server.ProcessLines;

/**
 * {@code clients/udpknock-knock.py} against the packaged server, in network namespaces: Debian's
 * python3 knocks from the client namespace, plain and authenticated, and is greeted; a knock
 * signed with another key is refused by the server (bad-tag) and gets no greeting. Needs root:
 * skipped, and said so, when not root and CI is unset.
 */
class PythonClientIT {
  static final Path SCRIPT = Path.of("clients", "udpknock-knock.py").toAbsolutePath();
  @TempDir Path dir;
  private final int[] sequence = Namespaces.randomSequence();
  private final int servicePort = Namespaces.randomServicePort();
  private Namespaces pair;

  @BeforeEach
  void createNamespaces() throws Exception {
    pair = Namespaces.createOrSkip("PythonClientIT");
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void aPlainKnockIsGreeted() throws Exception {
    Namespaces.Server server = pair.startServer(serverOptions().toArray(String[]::new));
    ProcessLines.Result knock = python();
    assertEquals(0, knock.code(), knock.output() + "\nserver:\n" + server.log());
    assertEquals(Namespaces.GREETING, knock.output().strip());
    server.awaitLog("granted default " + pair.clientV4);
  }

  @Test
  void anAuthenticatedKnockIsGreetedAndOneSignedWithAnotherKeyIsRefused() throws Exception {
    Path key = dir.resolve("knock.key");
    KeyFile.create(key, ServerId.of("py-server"), new SecureRandom());
    Path otherKey = Files.createDirectory(dir.resolve("other")).resolve("knock.key");
    KeyFile.create(otherKey, ServerId.of("py-server"), new SecureRandom());
    List<String> options = serverOptions();
    // --max-ahead 1ms: the client shares this clock and knocks after the server says it listens.
    options.addAll(List.of("--secret-file", key.toString(), "--max-ahead", "1ms"));
    Namespaces.Server server = pair.startServer(options.toArray(String[]::new));
    server.awaitLog("warning default message authenticated knocks stamped before ");

    ProcessLines.Result wrong = python("--secret-file", otherKey.toString(), "--connect-timeout", "500ms");
    assertEquals(1, wrong.code(), wrong.output());
    assertTrue(wrong.output().contains("udpknock-knock.py: no greeting from " + pair.serverV4), wrong.output());
    server.awaitLog("rejected default " + pair.clientV4 + " port " + sequence[2] + " bad-tag");
    assertFalse(server.log().contains("granted"), server.log());

    ProcessLines.Result knock = python("--secret-file", key.toString());
    assertEquals(0, knock.code(), knock.output() + "\nserver:\n" + server.log());
    assertEquals(Namespaces.GREETING, knock.output().strip());
    server.awaitLog("granted default " + pair.clientV4);
  }

  private List<String> serverOptions() {
    return new ArrayList<>(List.of("--sequence", Namespaces.portList(sequence),
        "--service-port", String.valueOf(servicePort)));
  }

  private ProcessLines.Result python(String... extra) throws Exception {
    List<String> command = new ArrayList<>(List.of(Namespaces.PYTHON, SCRIPT.toString(), pair.serverV4,
        "--sequence", Namespaces.portList(sequence), "--service-port", String.valueOf(servicePort)));
    command.addAll(List.of(extra));
    return pair.inClient(command.toArray(String[]::new));
  }
}
