package org.udpknock.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.udpknock.client.KnockClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "knock", mixinStandardHelpOptions = true,
    description = "Knock on the UDP sequence of HOST, then print the greeting of its service port.",
    footer = {"", "Exit codes: 0 greeted, 1 no greeting in time or a network error, 2 bad usage."})
final class KnockCommand implements Callable<Integer> {
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

  @Override
  public Integer call() throws IOException, InterruptedException {
    int port = servicePort.validated();
    KnockClient client = new KnockClient(resolve(host, "host"),
        source == null ? null : resolve(source, "--source address"));
    try {
      client.knock(sequence.sequence, delayNanos, new byte[0]);
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

  private static InetAddress resolve(String name, String what) {
    try {
      return InetAddress.getByName(name);
    } catch (UnknownHostException e) {
      throw new UserError(ExitCodes.USAGE, "unknown " + what + " '" + name
          + "'; give a name that resolves or an IPv4/IPv6 address.");
    }
  }
}
