package org.udpknock.cli;

import picocli.CommandLine.Option;

/** {@code --service-port}, shared by the server and the client. */
final class ServicePortOption {
  @Option(names = "--service-port", paramLabel = "PORT", defaultValue = "2223",
      description = "TCP port opened to sources that knock. Default: ${DEFAULT-VALUE}.")
  int port;

  int validated() {
    if (port < 1 || port > 65535) {
      throw new UserError(ExitCodes.USAGE, "--service-port must be 1-65535, not " + port + ".");
    }
    return port;
  }
}
