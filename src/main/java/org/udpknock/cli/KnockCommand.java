package org.udpknock.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
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
import org.udpknock.client.StdioRelay;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The client: knocks, then prints the greeting. Not final: the benchmarks' timed rounds
 * (src/bench/java, {@code KnockRoundsCommand}) extend it with their own options.
 */
class KnockCommand implements Callable<Integer> {
  static final Specs.Usage USAGE = new Specs.Usage("knock", new String[] {
      "Knock on the UDP sequence of HOST, then print the greeting of its service port.",
      "With --pipe, relay stdin and stdout to PORT of HOST instead, as ssh's ProxyCommand needs:",
      "  ProxyCommand udpknock knock --pipe %%h %%p"},
      new String[] {"", "Exit codes: 0 greeted (--pipe: relayed until the server closed), 1 no greeting"
          + " (--pipe: no connection) in time or a network error, 2 bad usage."});

  final CommandSpec spec;
  String host;
  Integer pipePort;
  final SequenceOption sequence;
  final ServicePortOption servicePort;
  long delayNanos;
  long connectTimeoutNanos;
  String source;
  boolean noConnect;
  boolean pipe;
  Path secretFile;
  String serverId;

  KnockCommand() {
    this(USAGE);
  }

  /** The client's options, in the model of a command that {@code usage} describes. */
  KnockCommand(Specs.Usage usage) {
    spec = Specs.command(this, usage);
    spec.addPositional(Specs.parameter(String.class, value -> host = value, "0", "1").paramLabel("HOST")
        .description("Name or address (IPv4 or IPv6) of the server.").build());
    spec.addPositional(Specs.parameter(Integer.class, value -> pipePort = value, "1", "0..1")
        .paramLabel("PORT").description("With --pipe: the TCP port of HOST to relay to.").build());
    sequence = new SequenceOption(spec);
    servicePort = new ServicePortOption(spec);
    spec.addOption(Specs.option(long.class, value -> delayNanos = value, "--delay").paramLabel("DURATION")
        .converters(new Converters.Duration()).defaultValue("0ms")
        .description("Pause between knocks. Default: 0ms.").build());
    spec.addOption(Specs.option(long.class, value -> connectTimeoutNanos = value, "--connect-timeout")
        .paramLabel("DURATION").converters(new Converters.Duration()).defaultValue("3s")
        .description("How long to keep trying the service port. Default: 3s.").build());
    spec.addOption(Specs.option(String.class, value -> source = value, "--source").paramLabel("ADDRESS")
        .description("Local address to knock and connect from.").build());
    spec.addOption(Specs.flag(value -> noConnect = value, "--no-connect")
        .description("Only knock; do not connect to the service port.").build());
    spec.addOption(Specs.flag(value -> pipe = value, "--pipe")
        .description("After the knock, connect to PORT of HOST (the address knocked, resolved once) and"
            + " relay stdin and stdout both ways until the server closes; refusals are retried for"
            + " --connect-timeout. Errors go to stderr only.").build());
    spec.addOption(Specs.option(Path.class, value -> secretFile = value, "--secret-file").paramLabel("FILE")
        .description("Send authenticated knocks signed with the key in FILE (mode 0600, from 'udpknock keygen'),"
            + " for a server run with the same --secret-file.").build());
    spec.addOption(Specs.option(String.class, value -> serverId = value, "--server-id").paramLabel("NAME")
        .description("With --secret-file: the id of the server knocked, which the knocks' tags cover;"
            + " overrides the key file's 'server-id' line.").build());
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    int port = pipe ? pipePort() : servicePort();
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
    if (pipe) {
      return relay(client, port);
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

  private int servicePort() {
    if (pipePort != null) {
      throw new UserError(ExitCodes.USAGE, "PORT (" + pipePort + ") is for --pipe only; to knock and"
          + " relay, run: udpknock knock --pipe " + host + " " + pipePort);
    }
    return servicePort.validated();
  }

  private int pipePort() {
    if (pipePort == null) {
      throw new UserError(ExitCodes.USAGE, "--pipe needs the PORT to relay to after HOST, as in:"
          + " udpknock knock --pipe " + host + " 22");
    }
    if (pipePort < 1 || pipePort > 65535) {
      throw new UserError(ExitCodes.USAGE, "PORT must be 1-65535, not " + pipePort + ".");
    }
    if (noConnect || spec.commandLine().getParseResult().hasMatchedOption("--service-port")) {
      throw new UserError(ExitCodes.USAGE, "--pipe connects to PORT; drop "
          + (noConnect ? "--no-connect" : "--service-port"));
    }
    return pipePort;
  }

  /** Connects to {@code port} for ssh (or any client on stdin and stdout) and relays until the end. */
  private int relay(KnockClient client, int port) throws InterruptedException {
    String where = host + " port " + port;
    Optional<KnockClient.Connection> connection;
    try {
      connection = client.connectForRelay(port, connectTimeoutNanos);
    } catch (IOException e) {
      throw new UserError(ExitCodes.FAILURE, "could not connect to " + where + " (" + e.getMessage()
          + "); check the address and --source");
    }
    if (connection.isEmpty()) {
      throw new UserError(ExitCodes.FAILURE, "could not connect to " + where + " within "
          + connectTimeoutNanos / 1_000_000 + " ms of the knock: the port stayed closed to us;"
          + " check the sequence and the key, that the server runs and guards port " + port
          + ", or give a longer --connect-timeout");
    }
    try {
      StdioRelay.run(connection.get(), new FileInputStream(FileDescriptor.in),
          new FileOutputStream(FileDescriptor.out));
    } catch (IOException e) {
      throw new UserError(ExitCodes.FAILURE, "the connection to " + where + " broke ("
          + e.getMessage() + ")");
    }
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
