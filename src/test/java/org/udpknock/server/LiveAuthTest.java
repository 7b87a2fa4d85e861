package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.udpknock.server.LiveHarness.SECOND;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.auth.AuthPayload;
import org.udpknock.auth.AuthSettings;
import org.udpknock.auth.KeyFile;
import org.udpknock.auth.ServerId;
import org.udpknock.cli.Main;

/**
 * Authenticated mode end to end on loopback, through LiveHarness (skipped, and said so, without
 * capture privileges unless CI is set). Run under /tmp/udpknock-live.lock like every live test.
 */
class LiveAuthTest {
  private static final String GREETING = "Bonjour, vous avez réussi la séquence UDP !";
  @TempDir Path dir;
  private LiveHarness live;
  private Path keyFile;

  @AfterEach
  void stop() throws InterruptedException {
    if (live != null) {
      live.close();
    }
  }

  /** Max-ahead 1 ms: client and server share this machine's clock; the harness waits it out. */
  private void startServer(long serviceTimeoutNanos) throws Exception {
    startServer(serviceTimeoutNanos, 1_000_000L);
  }

  private void startServer(long serviceTimeoutNanos, long maxAheadNanos) throws Exception {
    keyFile = dir.resolve("knock.key");
    KeyFile.create(keyFile, ServerId.of("live-auth"), new SecureRandom());
    KeyFile.Contents contents = KeyFile.read(keyFile);
    live = LiveHarness.start(serviceTimeoutNanos, new AuthSettings(contents.key(), contents.serverId(),
        AuthSettings.DEFAULT_MAX_SKEW_NANOS, maxAheadNanos, 1000));
  }

  private int knockWithTheClient(StringWriter out, StringWriter err) {
    List<String> args = new ArrayList<>(Arrays.asList(live.knockArgs("127.0.0.1")));
    args.addAll(List.of("--secret-file", keyFile.toString()));
    return Main.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
  }

  @Test
  void theClientsAuthenticatedKnockIsGreeted() throws Exception {
    startServer(30 * SECOND);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    assertEquals(0, knockWithTheClient(out, err), err + "\nlog:\n" + live.log());
    assertEquals(GREETING, out.toString().strip());
    live.awaitLog("granted default 127.0.0.1");
    assertFalse(live.log().contains("rejected"), live.log());
  }

  /**
   * The price of the start bound: for max-ahead after the start every knock is refused, and the
   * server says until when in a warning right after its start line.
   */
  @Test
  void aKnockWithinMaxAheadOfTheStartIsRefusedAsBeforeStartAndTheServerSaidSo() throws Exception {
    long before = Clock.SYSTEM.nowNanos();
    startServer(30 * SECOND, 3600 * SECOND);
    live.awaitLog("warning default message authenticated knocks stamped before ");
    List<String> lines = live.log().lines().toList();
    String warning = lines.get(1);
    assertTrue(lines.get(0).contains(" listening ") && warning.contains(" warning "), "right after the start line: " + lines);
    Instant until = Instant.parse(warning.split("stamped before ")[1].split(" ")[0]);
    long untilNanos = until.getEpochSecond() * SECOND + until.getNano();
    assertTrue(untilNanos >= before + 3600 * SECOND && untilNanos <= Clock.SYSTEM.nowNanos() + 3600 * SECOND, warning);
    assertTrue(warning.contains("(the start + --max-ahead) are refused as before-start"), warning);

    List<String> args = new ArrayList<>(Arrays.asList(live.knockArgs("127.0.0.1")));
    args.addAll(List.of("--secret-file", keyFile.toString(), "--no-connect"));
    StringWriter err = new StringWriter();
    assertEquals(0, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), args.toArray(String[]::new)),
        err.toString());
    live.awaitLog("rejected default 127.0.0.1 port " + live.sequence.port(2) + " before-start");
    assertFalse(live.log().contains("granted"), live.log());
    assertRefused();
  }

  @Test
  void plainKnocksAreRejectedAndOpenNothing() throws Exception {
    startServer(30 * SECOND);
    int[] ports = live.sequence.ports();
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      for (int port : ports) {
        socket.send(new DatagramPacket(new byte[0], 0, InetAddress.getByName("127.0.0.1"), port));
      }
    }
    live.awaitLog("rejected default 127.0.0.1 port " + ports[2] + " malformed");
    assertFalse(live.log().contains("granted"), live.log());
    assertFalse(live.log().contains(" knock default "), "no knock reached the engine:\n" + live.log());
    assertRefused();
  }

  /**
   * The client's own datagrams, received as sent (the test binds the knock ports, which the
   * server never does; libpcap still sees them), then sent again: from another address while
   * the grant lives, and from the knocker after its grant expired. Neither grants anything.
   */
  @Test
  void resendingTheSniffedDatagramsOfAGrantedKnockGrantsNothing() throws Exception {
    startServer(1 * SECOND);
    int[] ports = live.sequence.ports();
    List<DatagramSocket> sniffers = new ArrayList<>();
    List<byte[]> sniffed = new ArrayList<>();
    try {
      for (int port : ports) {
        DatagramSocket sniffer = new DatagramSocket(new InetSocketAddress("127.0.0.1", port));
        sniffer.setSoTimeout(3000);
        sniffers.add(sniffer);
      }
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      assertEquals(0, knockWithTheClient(out, err), err + "\nlog:\n" + live.log());
      for (DatagramSocket sniffer : sniffers) {
        DatagramPacket packet = new DatagramPacket(new byte[512], 512);
        sniffer.receive(packet);
        sniffed.add(Arrays.copyOf(packet.getData(), packet.getLength()));
      }
    } finally {
      sniffers.forEach(DatagramSocket::close);
    }
    sniffed.forEach(payload -> assertEquals(AuthPayload.LENGTH, payload.length));
    live.awaitLog("granted default 127.0.0.1");

    resend("127.0.0.2", ports, sniffed);
    live.awaitLog("rejected default 127.0.0.2 port " + ports[2] + " replayed");
    assertFalse(live.log().contains("granted default 127.0.0.2"), live.log());

    live.advanceClock(1 * SECOND); // the grant of 127.0.0.1 ends
    live.awaitLog("grant-expired default 127.0.0.1");
    live.awaitLog("service-closed");
    resend("127.0.0.1", ports, sniffed);
    live.awaitLog("rejected default 127.0.0.1 port " + ports[2] + " replayed");
    assertEquals(1, live.log().lines().filter(line -> line.contains(" granted default ")).count(), live.log());
    assertRefused();
  }

  private static void resend(String source, int[] ports, List<byte[]> payloads) throws IOException {
    try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(source, 0))) {
      for (int i = 0; i < ports.length; i++) {
        byte[] payload = payloads.get(i);
        socket.send(new DatagramPacket(payload, payload.length, InetAddress.getByName("127.0.0.1"), ports[i]));
      }
    }
  }

  private void assertRefused() {
    assertThrows(ConnectException.class, () -> {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", live.servicePort), 1000);
      }
    });
  }
}
