package org.udpknock.cli;

import picocli.CommandLine.Model.CommandSpec;

/** {@code --service-port}, shared by the server and the client. */
final class ServicePortOption {
  int port;

  ServicePortOption(CommandSpec spec) {
    spec.addOption(Specs.option(int.class, value -> port = value, "--service-port").paramLabel("PORT")
        .defaultValue("2223").description("TCP port opened to sources that knock. Default: ${DEFAULT-VALUE}.")
        .build());
  }

  int validated() {
    if (port < 1 || port > 65535) {
      throw new UserError(ExitCodes.USAGE, "--service-port must be 1-65535, not " + port + ".");
    }
    return port;
  }
}
