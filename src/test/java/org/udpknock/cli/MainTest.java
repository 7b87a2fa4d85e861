package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The root CLI builds only the subcommand it runs, and still lists them all. */
class MainTest {
  private static final Map<String, Specs.Usage> SUBCOMMANDS = Map.of("server", ServerCommand.USAGE,
      "knock", KnockCommand.USAGE, "replay", ReplayCommand.USAGE, "interfaces",
      InterfacesCommand.USAGE, "keygen", KeygenCommand.USAGE, "check-config",
      CheckConfigCommand.USAGE, "import-knockd", ImportKnockdCommand.USAGE);

  @Test
  void onlyTheInvokedSubcommandIsBuiltFromItsClass() {
    CommandLine cli = Main.commandLine(new String[] {"knock", "127.0.0.1"});
    Map<String, CommandLine> built = cli.getSubcommands();
    assertEquals(SUBCOMMANDS.keySet(), built.keySet());
    assertInstanceOf(KnockCommand.class, built.get("knock").getCommand());
    assertTrue(built.get("knock").getCommandSpec().options().size() > 2, "knock's options read");
    for (String other : List.of("server", "replay", "interfaces", "keygen", "check-config")) {
      assertNull(built.get(other).getCommand(), other + " was built from its class");
      assertTrue(built.get(other).getCommandSpec().options().isEmpty(), other);
    }
  }

  @Test
  void noSubcommandIsBuiltForTheRootsOwnOptions() {
    for (String[] args : List.of(new String[] {"--help"}, new String[] {"-V"}, new String[0])) {
      Main.commandLine(args).getSubcommands().values()
          .forEach(sub -> assertNull(sub.getCommand(), sub.getCommandName()));
    }
  }

  @Test
  void helpListsEverySubcommandWithItsDescription() {
    CliRun help = CliRun.of("--help");
    assertEquals(0, help.code, help.err);
    SUBCOMMANDS.forEach((name, usage) -> {
      String description = usage.description()[0];
      String firstWords = description.substring(0, description.indexOf(' ', 20));
      assertTrue(help.out.contains("  " + name + " "), name + " missing: " + help.out);
      assertTrue(help.out.contains(firstWords), firstWords + " missing: " + help.out);
    });
    assertTrue(help.out.startsWith("Usage: udpknock [-hV] [COMMAND]"), help.out);
  }

  @Test
  void eachSubcommandParsesItsOwnOptions() {
    SUBCOMMANDS.keySet().forEach(name -> {
      CliRun help = CliRun.of(name, "--help");
      assertEquals(0, help.code, name + ": " + help.err);
      assertTrue(help.out.startsWith("Usage: udpknock " + name + " "), help.out);
      CliRun bad = CliRun.of(name, "--no-such-option");
      assertEquals(ExitCodes.USAGE, bad.code, name);
      assertTrue(bad.oneLineError().startsWith("udpknock " + name + ": "), bad.err);
    });
  }

  @Test
  void anUnknownSubcommandIsBadUsage() {
    CliRun run = CliRun.of("knok");
    assertEquals(ExitCodes.USAGE, run.code);
    assertFalse(run.err.isBlank());
    assertTrue(run.oneLineError().contains("'knok'"), run.err);
  }
}
