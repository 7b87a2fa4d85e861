package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, metrics: {@code --metrics ADDRESS:PORT} (or {@code metrics} in the config file). A
 * bad value, a port in use or an address that is not this host's is one sentence and a non-zero
 * exit, before any capture is opened, as for the service port.
 */
class MetricsOptionTest {
  @TempDir Path dir;

  @Test
  void aBadAddressIsOneSentenceAndExitCode2() {
    for (String bad : new String[] {":9741", "example.com:9741", "127.0.0.1:0", "nine"}) {
      CliRun run = CliRun.of("server", "-i", "lo", "--nftables", "off", "--metrics", bad);
      assertEquals(ExitCodes.USAGE, run.code, bad + ": " + run.err);
      String message = run.oneLineError();
      assertTrue(message.contains("--metrics") && message.contains("'" + bad + "'"), message);
    }
  }

  @Test
  void aMetricsPortInUseIsOneSentenceAndExitCode1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CliRun run = CliRun.of("server", "-i", "lo", "--nftables", "off", "--sequence", "34011,34013,34012",
          "--service-port", String.valueOf(freePort()), "--metrics", "127.0.0.1:" + taken.getLocalPort());
      assertEquals(ExitCodes.FAILURE, run.code, run.err);
      assertEquals("udpknock server: metrics port 127.0.0.1:" + taken.getLocalPort() + " is already in use;"
          + " stop what listens there or choose another with --metrics.", run.oneLineError());
      assertTrue(!run.out.contains("listening"), "no capture was started: " + run.out);
    }
  }

  @Test
  void aConfigFilesMetricsPortInUseNamesTheFileAndTheKey() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path file = dir.resolve("udpknock.toml");
      Files.writeString(file, "nftables = \"off\"\nmetrics = \"127.0.0.1:" + taken.getLocalPort() + "\"\n"
          + "[[door]]\nname = \"a\"\nsequence = [34021, 34023, 34022]\nport = " + freePort() + "\n");
      CliRun run = CliRun.of("server", "-i", "lo", "--config", file.toString());
      assertEquals(ExitCodes.FAILURE, run.code, run.err);
      assertEquals("udpknock server: " + file + ": metrics port 127.0.0.1:" + taken.getLocalPort()
          + " is already in use; stop what listens there or choose another in metrics.", run.oneLineError());
    }
  }

  @Test
  void anAddressThatIsNotThisHostsIsOneSentenceAndExitCode2() throws Exception {
    CliRun run = CliRun.of("server", "-i", "lo", "--nftables", "off", "--sequence", "34031,34033,34032",
        "--service-port", String.valueOf(freePort()), "--metrics", "192.0.2.7:9741"); // TEST-NET-1: never local
    assertEquals(ExitCodes.USAGE, run.code, run.err);
    assertEquals("udpknock server: metrics address 192.0.2.7 is not an address of this host; give one of its"
        + " addresses, or 127.0.0.1.", run.oneLineError());
  }

  @Test
  void theHelpSaysItIsOffByDefaultAndWhatAnotherAddressShows() {
    String help = CliRun.of("server", "--help").out.replaceAll("\\s+", " ");
    assertTrue(help.contains("--metrics=ADDRESS:PORT"), help);
    assertTrue(help.contains("a port alone is loopback's") && help.contains("Default: none."), help);
  }

  private static int freePort() throws java.io.IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return socket.getLocalPort();
    }
  }
}
