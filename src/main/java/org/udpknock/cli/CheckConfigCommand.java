package org.udpknock.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.udpknock.config.Config;
import org.udpknock.config.ConfigException;
import org.udpknock.config.ConfigFile;
import org.udpknock.config.Durations;
import org.udpknock.core.ScanGuard;
import org.udpknock.decode.CaptureFilter;
import org.udpknock.decode.LinkType;
import org.udpknock.door.ActionKind;
import org.udpknock.door.DoorConfig;
import picocli.CommandLine.Model.CommandSpec;

final class CheckConfigCommand implements Callable<Integer> {
  static final Specs.Usage USAGE = new Specs.Usage("check-config",
      "Check a config file, as 'sshd -t' and 'nginx -t' do: print each door in one line,"
          + " then the capture filter of all doors. Reads each door's key file, but captures nothing.",
      "", "Exit codes: 0 the file is good, 2 it is not (one sentence naming the line and the key).");

  final CommandSpec spec = Specs.command(this, USAGE);
  Path file;

  CheckConfigCommand() {
    spec.addPositional(Specs.parameter(Path.class, value -> file = value, "0", "1").paramLabel("FILE")
        .description("The config file, e.g. /etc/udpknock/udpknock.toml.").build());
  }

  @Override
  public Integer call() {
    Config config = load(file);
    PrintWriter out = spec.commandLine().getOut();
    config.doors().forEach(door -> out.println(describe(door)));
    if (config.fleet() != null) {
      out.println("grant store: " + config.fleet().storeForLog() + ", as host \"" + config.fleet().hostName()
          + "\", messages signed with the fleet key" + (config.fleet().password() == null ? "" : ", password from its file"));
    }
    out.println("capture filter: " + CaptureFilter.ofAll(LinkType.LINUX_SLL, config.doors().stream()
        .map(CheckConfigCommand::guard).map(ScanGuard::watchedPortRanges).toList()));
    out.println(file + ": ok, " + config.doors().size() + (config.doors().size() == 1 ? " door" : " doors"));
    return ExitCodes.OK;
  }

  /** Loads {@code file}; a bad one is a usage error, as a bad option is. */
  static Config load(Path file) {
    try {
      return ConfigFile.load(file);
    } catch (ConfigException e) {
      throw new UserError(ExitCodes.USAGE, e.getMessage());
    }
  }

  static String describe(DoorConfig door) {
    DoorConfig.KnockRules rules = door.rules();
    ScanGuard guard = guard(door);
    String line = "door \"" + door.name() + "\": knocks " + rules.sequence() + " within "
        + Durations.format(rules.seqTimeoutNanos())
        + (rules.auth() == null ? "" : ", authenticated for server " + rules.auth().serverId())
        + ", guard " + (guard.isOff() ? "off" : guard.distance() + " ports") + " (watches "
        + ranges(guard.watchedPortRanges()) + "), open for " + Durations.format(door.openForNanos())
        + ", " + action(door);
    return line + arguments(", on_open ", door.commands().onOpen()) + arguments(", on_close ", door.commands().onClose())
        + sharing(door);
  }

  private static String sharing(DoorConfig door) {
    if (!door.sharing().shared()) {
      return "";
    }
    boolean commands = !door.commands().isEmpty();
    return ", shared with the fleet" + (!commands ? "" : door.sharing().commandsEverywhere()
        ? " (commands run on every host)" : " (commands run where the knock is seen)");
  }

  private static ScanGuard guard(DoorConfig door) {
    return ScanGuard.of(door.rules().sequence(), door.rules().scanGuard());
  }

  private static String action(DoorConfig door) {
    String where = door.bind() == null ? "" : " on " + door.bind().getHostAddress();
    if (door.action() == ActionKind.GREET) {
      return "greet on TCP " + door.port() + where;
    } else if (door.action() == ActionKind.FORWARD) {
      return "forward TCP " + door.port() + where + " to " + door.forwardTo();
    } else if (door.action() == ActionKind.NFTABLES) {
      return "nftables guards TCP " + door.port();
    }
    return "no action" + (door.port() == 0 ? "" : " (%PORT% is " + door.port() + ")");
  }

  private static String ranges(List<int[]> ranges) {
    return ranges.stream().map(r -> r[0] == r[1] ? "" + r[0] : r[0] + "-" + r[1]).collect(Collectors.joining(","));
  }

  private static String arguments(String label, List<String> arguments) {
    if (arguments.isEmpty()) {
      return "";
    }
    return label + arguments.stream().map(a -> "\"" + a.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
        .collect(Collectors.joining(", ", "[", "]"));
  }
}
