package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The root CLI builds only the subcommand it runs, and lists them all when none is run. */
class MainTest {
  private static final Map<String, Specs.Usage> SUBCOMMANDS = Map.of("server", ServerCommand.USAGE,
      "knock", KnockCommand.USAGE, "replay", ReplayCommand.USAGE, "interfaces",
      InterfacesCommand.USAGE, "keygen", KeygenCommand.USAGE, "check-config",
      CheckConfigCommand.USAGE, "import-knockd", ImportKnockdCommand.USAGE);

  @Test
  void anInvokedSubcommandIsTheOnlyOneAndIsBuiltFromItsClass() {
    for (String name : SUBCOMMANDS.keySet()) {
      Map<String, CommandLine> built = Main.commandLine(new String[] {name, "--help"}).getSubcommands();
      assertEquals(Set.of(name), built.keySet(), name);
      assertNotNull(built.get(name).getCommand(), name + " built from its class");
    }
    assertInstanceOf(KnockCommand.class, Main.commandLine(new String[] {"knock", "127.0.0.1"})
        .getSubcommands().get("knock").getCommand());
  }

  @Test
  void everySubcommandIsListedWithoutItsModelWhenNoneIsInvoked() {
    for (String[] args : List.of(new String[] {"--help"}, new String[] {"-V"}, new String[] {"knok"}, new String[0])) {
      Map<String, CommandLine> listed = Main.commandLine(args).getSubcommands();
      assertEquals(SUBCOMMANDS.keySet(), listed.keySet(), String.join(" ", args));
      listed.values().forEach(sub -> {
        assertNull(sub.getCommand(), sub.getCommandName() + " built from its class");
        assertTrue(sub.getCommandSpec().options().isEmpty(), sub.getCommandName());
      });
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
