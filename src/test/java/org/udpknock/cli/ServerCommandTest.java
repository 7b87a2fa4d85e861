package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Start-up failures of the server: each one sentence and its exit code. None needs privileges. */
class ServerCommandTest {

  @Test
  void anNftablesDoorWithNftablesOffIsRefusedInOneSentence(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path config = dir.resolve("ssh.toml");
    java.nio.file.Files.writeString(config, "interface = \"lo\"\nnftables = \"off\"\n[[door]]\nname = \"ssh\"\n"
        + "sequence = [31001, 32002, 33003]\naction = \"nftables\"\nport = 22\n");
    CliRun run = CliRun.of("server", "--config", config.toString());
    assertEquals(2, run.code, run.err);
    assertEquals("udpknock server: door 'ssh' has action = \"nftables\", but nftables is off; give the server"
        + " libnftables1 and CAP_NET_ADMIN, with nftables = \"auto\" or \"require\".", run.oneLineError());
  }

  @Test
  void t8_anUnknownInterfaceListsTheAvailableOnes() {
    CliRun run = CliRun.of("server", "-i", "nosuchif0");
    assertEquals(2, run.code, run.err);
    String message = run.oneLineError();
    assertTrue(message.contains("no capture interface named 'nosuchif0'"), message);
    assertTrue(message.contains("lo"), "the available interfaces are listed: " + message);
    assertTrue(message.contains("--wait-for-interface"), "the way to wait for it is named: " + message);
  }

  @Test
  void t8_aBusyServicePortSaysSoAndHowToChooseAnother() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(0));
      CliRun run = CliRun.of("server", "-i", "lo", "--service-port", String.valueOf(taken.getLocalPort()));
      assertEquals(1, run.code, run.err);
      String message = run.oneLineError();
      assertTrue(message.contains("port " + taken.getLocalPort() + " is already in use"), message);
      assertTrue(message.contains("--service-port"), message);
    }
  }

  @Test
  void badOptionsAreUsageErrors() {
    assertEquals(2, CliRun.of("server", "--service-port", "0").code);
    assertEquals(2, CliRun.of("server", "--service-port", "70000").code);
    assertEquals(2, CliRun.of("server", "--service-timeout", "0s").code);
    assertEquals(2, CliRun.of("server", "--seq-timeout", "0s").code);
    assertEquals(2, CliRun.of("server", "--write-timeout", "0s").code);
    assertEquals(2, CliRun.of("server", "--bind", "no.such.host.invalid").code);
    CliRun run = CliRun.of("server", "--service-timeout", "forever");
    assertEquals(2, run.code);
    assertTrue(run.oneLineError().contains("forever"), run.err);
  }

  /** Was: grants shared --max-sources with attempts; they have a bound of their own now. */
  @Test
  void maxGrantsIsAnOptionWithItsOwnDefaultAndItsOwnLimits() {
    CliRun help = CliRun.of("server", "--help");
    assertEquals(0, help.code, help.err);
    assertTrue(help.out.contains("--max-grants=N") && help.out.contains("Default: 100000."), help.out);
    for (String bad : new String[] {"0", "-1", "50000001"}) {
      CliRun run = CliRun.of("server", "-i", "lo", "--max-grants", bad);
      assertEquals(2, run.code, run.err);
      assertEquals("udpknock server: --max-grants must be between 1 and 50000000, not " + bad + ".",
          run.oneLineError());
    }
    CliRun notANumber = CliRun.of("server", "--max-grants", "many");
    assertEquals(2, notANumber.code);
    assertTrue(notANumber.oneLineError().contains("many"), notANumber.err);
  }

  @Test
  void aBindAddressNotOfThisHostIsAUsageError() {
    CliRun run = CliRun.of("server", "-i", "lo", "--bind", "192.0.2.123", "--service-port", "2299");
    assertEquals(2, run.code, run.err);
    assertTrue(run.oneLineError().contains("192.0.2.123"), run.err);
  }

  /** Regression: --bind "" listened on loopback alone (InetAddress.getByName("") is loopback). */
  @Test
  void anEmptyBindAddressIsRefused() {
    CliRun run = assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
        CliRun.of("server", "-i", "lo", "--bind", "", "--service-port", String.valueOf(freePort())));
    assertEquals(2, run.code, run.err);
    assertEquals("udpknock server: --bind needs an address; give an IPv4 or IPv6 address of this host,"
        + " or leave it out to listen on all.", run.oneLineError());
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void interfacesListsLoopbackAndMarksTheDefault() {
    CliRun run = CliRun.of("interfaces");
    assertEquals(0, run.code, run.err);
    assertTrue(run.out.lines().anyMatch(line -> line.startsWith("lo ") && line.contains("loopback")), run.out);
    assertEquals(1, run.out.lines().filter(line -> line.contains("(default for server)")).count(), run.out);
  }
}
