package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.auth.AuthPayload;
import org.udpknock.auth.KeyFile;
import org.udpknock.auth.KnockKey;
import org.udpknock.auth.ServerId;

/**
 * {@code clients/udpknock-knock.py} beside {@code udpknock knock}: the same payload byte for byte
 * (fixed time and nonce through the script's test hook), the same options, the same key-file
 * refusals in the same sentence and exit code, the same usage-error code. Needs python3 only; the
 * knocks go to sockets of this test on loopback. Against the real server: {@code PythonClientIT}.
 */
class PythonClientTest {
  private static final String SCRIPT = "clients/udpknock-knock.py";
  private static final String HEX = "00".repeat(32);
  @TempDir Path dir;

  @Test
  void authenticatedPayloadsAreByteIdenticalToTheJavaClients() throws Exception {
    Path key = dir.resolve("knock.key");
    KeyFile.create(key, ServerId.of("py-test"), new SecureRandom());
    KnockKey knockKey = KeyFile.read(key).key();
    long nanos = 1_764_000_000_123_456_789L;
    byte[] nonce = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
    Map<String, String> fixed = Map.of("UDPKNOCK_TEST_FIXED_TIME_AND_NONCE", nanos + ":" + HexFormat.of().formatHex(nonce));
    for (String serverId : new String[] {"py-test", "other-server"}) {
      List<String> options = new ArrayList<>(List.of("--secret-file", key.toString()));
      if (!serverId.equals("py-test")) {
        options.addAll(List.of("--server-id", serverId));
      }
      List<byte[]> sent = knocksOf(fixed, options);
      for (int stage = 1; stage <= 3; stage++) {
        assertArrayEquals(AuthPayload.encode(knockKey, ServerId.of(serverId), stage, nanos, nonce),
            sent.get(stage - 1), "stage " + stage + " for " + serverId);
      }
    }
  }

  @Test
  void plainKnocksAreEmptyDatagramsFromOneSocketInOrder() throws Exception {
    for (byte[] payload : knocksOf(Map.of(), List.of())) {
      assertEquals(0, payload.length);
    }
  }

  /** Same options as udpknock knock, by name: --help of both. */
  @Test
  void theOptionsAreThoseOfUdpknockKnock() throws Exception {
    CliRun java = CliRun.of("knock", "--help");
    Result python = python(Map.of(), "--help");
    assertEquals(0, python.code, python.err);
    assertEquals(longOptions(java.out), longOptions(python.out), python.out);
    assertTrue(python.out.contains("Exit codes: 0 greeted"), python.out);
  }

  @Test
  void usageErrorsExitWith2AsUdpknockKnockDoes() throws Exception {
    String[][] cases = {
        {"--sequence", "0", "127.0.0.1"}, {"--sequence", "1,,2", "127.0.0.1"}, {"--delay", "5q", "127.0.0.1"},
        {"--service-port", "0", "127.0.0.1"}, {"--pipe", "127.0.0.1"}, {"127.0.0.1", "22"},
        {"--pipe", "--no-connect", "127.0.0.1", "22"}, {"--bogus", "127.0.0.1"}, {""},
        {"--secret-file", "/nonexistent", "--server-id", "a b", "127.0.0.1"}, {"--seq", "9", "127.0.0.1"},
    };
    for (String[] args : cases) {
      List<String> java = new ArrayList<>(List.of("knock", "--no-connect"));
      java.addAll(List.of(args));
      java.remove(args[0].equals("--pipe") ? "--no-connect" : "");
      CliRun javaRun = CliRun.of(java.toArray(String[]::new));
      Result pythonRun = python(Map.of(), java.subList(1, java.size()).toArray(String[]::new));
      assertEquals(2, javaRun.code, Arrays.toString(args) + ": " + javaRun.err);
      assertEquals(2, pythonRun.code, Arrays.toString(args) + ": " + pythonRun.err);
      assertEquals(1, pythonRun.err.strip().lines().count(), pythonRun.err);
    }
  }

  /** Every refusal of a key file: the same sentence, naming the file, and exit code 1, from both clients. */
  @Test
  void aBadKeyFileIsRefusedInTheSameSentenceByBothClients() throws Exception {
    for (String mode : new String[] {"rw-r--r--", "rw-r-----", "rw----r--", "rw------x", "rw---x---", "rwx--x--x"}) {
      assertSameRefusal(key("mode-" + mode, HEX + "\nserver-id a\n", mode));
    }
    for (String content : new String[] {"", "00".repeat(31), "00".repeat(33), "zz".repeat(32),
        HEX + "\nserver-id a\nextra", "server-id a\n" + HEX, HEX + "\nserver-id\n", HEX + "\nserver-id a b\n",
        HEX + "\nserverid a\n", HEX + "\nserver-id " + "x".repeat(65) + "\n", HEX + "\n", HEX + "0\nserver-id a\n",
        "x".repeat(1025)}) {
      assertSameRefusal(key("content-" + content.hashCode(), content, "rw-------"));
    }
    assertSameRefusal(dir.resolve("missing.key"));
    assertSameRefusal(Files.createDirectory(dir.resolve("a-directory")));
    Path fifo = dir.resolve("knock.fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).start();
    assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
    assertSameRefusal(fifo);
    Path open = Files.createDirectory(dir.resolve("open"));
    Path inOpen = key("open/knock", HEX + "\nserver-id a\n", "rw-------");
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertSameRefusal(inOpen);
  }

  /** Both clients accept the same good key file: the control for the refusals above. */
  @Test
  void aGoodKeyFileIsAcceptedByBoth() throws Exception {
    Path key = key("good", "  " + HEX.toUpperCase() + " \r\n\n server-id  a \n", "rw-------");
    CliRun java = CliRun.of("knock", "--secret-file", key.toString(), "--no-connect", "--sequence", "9", "127.0.0.1");
    Result python = python(Map.of(), "--secret-file", key.toString(), "--no-connect", "--sequence", "9", "127.0.0.1");
    assertEquals(0, java.code, java.err);
    assertEquals(0, python.code, python.err);
  }

  private void assertSameRefusal(Path key) throws Exception {
    String[] args = {"--secret-file", key.toString(), "--no-connect", "--sequence", "9", "127.0.0.1"};
    List<String> java = new ArrayList<>(List.of("knock"));
    java.addAll(List.of(args));
    CliRun javaRun = CliRun.of(java.toArray(String[]::new));
    Result pythonRun = python(Map.of(), args);
    assertEquals(1, javaRun.code, key + ": " + javaRun.err);
    String expected = javaRun.oneLineError().replaceFirst("^udpknock knock: ", "");
    assertTrue(expected.contains(key.toString()), "names the file: " + expected);
    assertEquals(1, pythonRun.code, key + ": " + pythonRun.err);
    assertEquals("udpknock-knock.py: " + expected, pythonRun.err.strip());
  }

  private Path key(String name, String content, String mode) throws IOException {
    Path key = dir.resolve(name + ".key");
    Files.writeString(key, content, StandardCharsets.ISO_8859_1);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString(mode));
    return key;
  }

  /** What the script sends to three sockets of this test (ports out of order), from one socket. */
  private static List<byte[]> knocksOf(Map<String, String> env, List<String> options) throws Exception {
    List<DatagramSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setSoTimeout(5000);
        sockets.add(socket);
      }
      List<String> args = new ArrayList<>(options);
      args.addAll(List.of("--no-connect", "--sequence", sockets.get(2).getLocalPort() + ","
          + sockets.get(0).getLocalPort() + "," + sockets.get(1).getLocalPort(), "127.0.0.1"));
      Result run = python(env, args.toArray(String[]::new));
      assertEquals(0, run.code, run.err);
      List<byte[]> payloads = new ArrayList<>();
      int sourcePort = -1;
      for (int index : new int[] {2, 0, 1}) {
        DatagramPacket packet = new DatagramPacket(new byte[100], 100);
        sockets.get(index).receive(packet);
        assertTrue(sourcePort < 0 || sourcePort == packet.getPort(), "all knocks leave from one socket");
        sourcePort = packet.getPort();
        payloads.add(Arrays.copyOf(packet.getData(), packet.getLength()));
      }
      return payloads;
    } finally {
      sockets.forEach(DatagramSocket::close);
    }
  }

  private static TreeSet<String> longOptions(String help) {
    TreeSet<String> options = new TreeSet<>();
    Matcher m = Pattern.compile("(?<![\\w-])--[a-z][a-z-]*").matcher(help);
    while (m.find()) {
      options.add(m.group());
    }
    return options;
  }

  private record Result(int code, String out, String err) {}

  private static Result python(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("python3", SCRIPT));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().putAll(env);
    Process process = builder.start();
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    assertTrue(process.waitFor(20, TimeUnit.SECONDS), "python3 " + args + " still running");
    return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }
}
