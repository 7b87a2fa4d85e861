package org.udpknock.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import org.udpknock.auth.AuthPayload;
import org.udpknock.auth.KeyFile;
import org.udpknock.client.KnockClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The client: knocks, then prints the greeting. Not final: the benchmarks' timed rounds
 * (src/bench/java, {@code KnockRoundsCommand}) extend it with their own options.
 */
@Command(name = "knock", mixinStandardHelpOptions = true,
    description = "Knock on the UDP sequence of HOST, then print the greeting of its service port.",
    footer = {"", "Exit codes: 0 greeted, 1 no greeting in time or a network error, 2 bad usage."})
class KnockCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "HOST", description = "Name or address (IPv4 or IPv6) of the server.")
  String host;

  @Mixin SequenceOption sequence = new SequenceOption();

  @Mixin ServicePortOption servicePort = new ServicePortOption();

  @Option(names = "--delay", paramLabel = "DURATION", converter = Converters.Duration.class,
      defaultValue = "0ms", description = "Pause between knocks. Default: 0ms.")
  long delayNanos;

  @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = Converters.Duration.class,
      defaultValue = "3s", description = "How long to keep trying the service port. Default: 3s.")
  long connectTimeoutNanos;

  @Option(names = "--source", paramLabel = "ADDRESS",
      description = "Local address to knock and connect from.")
  String source;

  @Option(names = "--no-connect", description = "Only knock; do not connect to the service port.")
  boolean noConnect;

  @Option(names = "--secret-file", paramLabel = "FILE",
      description = "Send authenticated knocks signed with the key in FILE (mode 0600, from 'udpknock keygen'),"
          + " for a server run with the same --secret-file.")
  Path secretFile;

  @Option(names = "--server-id", paramLabel = "NAME",
      description = "With --secret-file: the id of the server knocked, which the knocks' tags cover;"
          + " overrides the key file's 'server-id' line.")
  String serverId;

  @Override
  public Integer call() throws IOException, InterruptedException {
    int port = servicePort.validated();
    IntFunction<byte[]> payloads = secretFile == null ? stage -> new byte[0]
        : authenticatedPayloads(AuthOptions.readKey(secretFile, serverId));
    KnockClient client = new KnockClient(resolve(host, "host"),
        source == null ? null : resolve(source, "--source address"));
    try {
      client.knock(sequence.sequence, delayNanos, payloads, () -> 0L);
    } catch (IOException e) {
      throw new UserError(ExitCodes.FAILURE, "could not send the knocks to " + host + ": "
          + e.getMessage() + "; check the address and --source.");
    }
    if (noConnect) {
      return ExitCodes.OK;
    }
    Optional<String> greeting = client.fetchGreeting(port, connectTimeoutNanos);
    if (greeting.isEmpty()) {
      throw new UserError(ExitCodes.FAILURE, "no greeting from " + host + " port " + port
          + " within " + connectTimeoutNanos / 1_000_000 + " ms: the port stayed closed to us;"
          + " check the sequence, that the server runs and sniffs the interface the knocks arrive on");
    }
    spec.commandLine().getOut().println(greeting.get());
    return ExitCodes.OK;
  }

  /** A fresh payload per datagram: its own nonce, the time it is made, its stage. */
  private static IntFunction<byte[]> authenticatedPayloads(KeyFile.Contents key) {
    SecureRandom random = new SecureRandom();
    return stage -> {
      byte[] nonce = new byte[AuthPayload.NONCE_LENGTH];
      random.nextBytes(nonce);
      Instant now = Instant.now();
      long nanos = Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
      return AuthPayload.encode(key.key(), key.serverId(), stage, nanos, nonce);
    };
  }

  static InetAddress resolve(String name, String what) {
    if (name.isBlank()) { // InetAddress.getByName("") is loopback: knock "" knocked there.
      throw new UserError(ExitCodes.USAGE, "the " + what + " is empty; give a name that resolves"
          + " or an IPv4/IPv6 address.");
    }
    try {
      return InetAddress.getByName(name);
    } catch (UnknownHostException e) {
      throw new UserError(ExitCodes.USAGE, "unknown " + what + " '" + name
          + "'; give a name that resolves or an IPv4/IPv6 address.");
    }
  }
}
