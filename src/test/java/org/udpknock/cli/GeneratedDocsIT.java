package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The man pages and the bash completion that the build generated into target/docs (issue 12,
 * item 2) hold every subcommand and every option of the live CLI: a command or an option added to
 * the code without reaching them fails here. Checked against the CLI built here, not against the
 * generator's own model.
 */
class GeneratedDocsIT {
  private static final Path DOCS = Path.of("target", "docs");

  @Test
  void everyOptionOfEveryCommandIsInItsManPage() throws IOException {
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, CommandLine> command : commands().entrySet()) {
      String page = Files.readString(DOCS.resolve(command.getKey() + ".adoc"));
      String name = command.getValue().getCommandSpec().qualifiedName();
      if (!page.contains("= " + command.getKey() + "(1)")) {
        missing.add(command.getKey() + ": the page's title");
      }
      for (OptionSpec option : command.getValue().getCommandSpec().options()) {
        for (String optionName : option.names()) {
          // An entry of the Options section, "*-i*, *--interface*=_NAME_::", not only the synopsis.
          if (!Pattern.compile("(?m)^.*\\*" + Pattern.quote(optionName) + "\\*.*::$").matcher(page).find()) {
            missing.add(name + " " + optionName);
          }
        }
      }
      for (PositionalParamSpec parameter : command.getValue().getCommandSpec().positionalParameters()) {
        if (!page.contains("_" + parameter.paramLabel() + "_")) {
          missing.add(name + " " + parameter.paramLabel());
        }
      }
    }
    assertEquals(List.of(), missing, "missing from the man pages in " + DOCS);
  }

  @Test
  void theRootPageListsEverySubcommand() throws IOException {
    String root = Files.readString(DOCS.resolve("udpknock.adoc"));
    for (String subcommand : Main.everyCommand().getSubcommands().keySet()) {
      assertTrue(root.contains("[*" + subcommand + "*]"), subcommand + " missing from udpknock(1)");
    }
  }

  @Test
  void everyOptionOfEveryCommandIsCompleted() throws IOException {
    String script = Files.readString(DOCS.resolve(GenerateDocs.COMPLETION));
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, CommandLine> command : commands().entrySet()) {
      String function = completionFunction(script, "_picocli_" + command.getKey().replace("udpknock-", "udpknock_").replace("-", ""));
      for (OptionSpec option : command.getValue().getCommandSpec().options()) {
        for (String optionName : option.names()) {
          // In the words TAB offers (flag_opts, arg_opts), not only in the value cases.
          if (!Pattern.compile("(?m)^\\s*local (flag|arg)_opts=\".*'" + Pattern.quote(optionName) + "'.*\"$")
              .matcher(function).find()) {
            missing.add(command.getValue().getCommandSpec().qualifiedName() + " " + optionName);
          }
        }
      }
    }
    assertEquals(List.of(), missing, "missing from " + DOCS.resolve(GenerateDocs.COMPLETION));
  }

  /** The body of a completion function, up to the next one; fails when there is none. */
  private static String completionFunction(String script, String name) {
    int start = script.indexOf("function " + name + "() {");
    assertTrue(start >= 0, "no completion function " + name);
    int end = script.indexOf("\nfunction ", start + 1);
    return script.substring(start, end < 0 ? script.length() : end);
  }

  /** The page name of each command ("udpknock", "udpknock-server", ...) and its live CLI. */
  private static Map<String, CommandLine> commands() {
    CommandLine root = Main.everyCommand();
    Map<String, CommandLine> commands = new java.util.LinkedHashMap<>();
    commands.put("udpknock", root);
    root.getSubcommands().forEach((name, sub) -> commands.put("udpknock-" + name, sub));
    assertTrue(commands.size() >= 8, "the subcommands: " + commands.keySet());
    return commands;
  }
}
