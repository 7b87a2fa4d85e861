package org.udpknock.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.udpknock.capture.PcapCapture;
import org.udpknock.report.EventOutput;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

public final class Main {
  static final Specs.Usage USAGE = new Specs.Usage("udpknock",
      "A port-knocking daemon that sniffs UDP knocks with libpcap.");

  /** A subcommand: what the usage says of it, and how its whole model is made. */
  private record Subcommand(Specs.Usage usage, Supplier<CommandSpec> model) {}

  /**
   * The subcommands, in the order the usage lists them. In a class of their own, made at the first
   * use rather than with Main: their lambdas' first link costs the JVM milliseconds, which the
   * server pays after its preload of libpcap has started.
   */
  private static final class Subcommands {
    static final List<Subcommand> ALL = List.of(
        new Subcommand(ServerCommand.USAGE, () -> new ServerCommand().spec),
        new Subcommand(KnockCommand.USAGE, () -> new KnockCommand().spec),
        new Subcommand(ReplayCommand.USAGE, () -> new ReplayCommand().spec),
        new Subcommand(InterfacesCommand.USAGE, () -> new InterfacesCommand().spec),
        new Subcommand(KeygenCommand.USAGE, () -> new KeygenCommand().spec),
        new Subcommand(CheckConfigCommand.USAGE, () -> new CheckConfigCommand().spec),
        new Subcommand(ImportKnockdCommand.USAGE, () -> new ImportKnockdCommand().spec));
  }

  /** picocli's documented switch for its built-in converters that a CLI does not use. */
  static final String CONVERTER_EXCLUDES = "picocli.converters.excludes";

  static {
    // Every CommandLine registers converters for java.time and java.sql types by reflection,
    // loading those classes (and DateTimeFormatter's statics): ~10 ms of each start. No option
    // here has such a type; the durations and times have converters of their own (Converters).
    if (System.getProperty(CONVERTER_EXCLUDES) == null) {
      System.setProperty(CONVERTER_EXCLUDES, "java\\.(time|sql)\\..*");
    }
  }

  public static void main(String[] args) {
    if ("server".equals(invokedName(args))) {
      PcapCapture.preload(); // In parallel with the parsing of the arguments and the config.
    }
    exit(commandLine(args), args);
  }

  /** Runs {@code cli} on the process's stdout and stderr, and exits with its code. */
  static void exit(CommandLine cli, String[] args) {
    // Not System.out: a PrintStream hides write errors, and replay and the server must see them.
    PrintWriter out = EventOutput.over(new FileOutputStream(FileDescriptor.out), 1 << 16);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    int code = run(cli, out, err, args);
    out.flush();
    System.exit(code);
  }

  /** Runs the CLI in-process; tests call this with their own writers. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(commandLine(args), out, err, args);
  }

  /**
   * The udpknock CLI for {@code args}. When they invoke a subcommand, it is the only one the root
   * has, with its whole model: the others play no part in parsing its arguments. Otherwise (the
   * root's usage, a name that is none) every subcommand is there as a name and a description,
   * for the usage to list and picocli to suggest. Each command costs milliseconds at start: its
   * model, and the converters picocli registers for it, with a regular expression compiled per
   * converter for the excluded ones (CONVERTER_EXCLUDES); only the one run needs its own.
   */
  static CommandLine commandLine(String[] args) {
    CommandLine cli = root();
    Subcommand invoked = subcommandNamed(invokedName(args));
    if (invoked != null) {
      cli.addSubcommand(invoked.usage().name(), new CommandLine(Specs.withHelp(invoked.model().get()), Specs.FACTORY));
    } else {
      for (Subcommand sub : Subcommands.ALL) {
        cli.addSubcommand(sub.usage().name(), new CommandLine(sub.usage().listing(), Specs.FACTORY));
      }
    }
    return handled(cli);
  }

  private static Subcommand subcommandNamed(String name) {
    for (Subcommand sub : Subcommands.ALL) {
      if (sub.usage().name().equals(name)) {
        return sub;
      }
    }
    return null;
  }

  /**
   * The whole CLI, every subcommand with its whole model: the model that the man pages and the
   * bash completion are generated from at build time (GenerateDocs, in the tests' sources).
   */
  static CommandLine everyCommand() {
    CommandLine cli = root();
    Subcommands.ALL.forEach(sub -> cli.addSubcommand(new CommandLine(Specs.withHelp(sub.model().get()), Specs.FACTORY)));
    return cli;
  }

  private static CommandLine root() {
    return new CommandLine(Specs.withHelp(Specs.command(new Main(), USAGE)), Specs.FACTORY);
  }

  /** The subcommand {@code args} name: the first word, as the root's options take no value. */
  private static String invokedName(String[] args) {
    for (String arg : args) {
      if (!arg.startsWith("-")) {
        return arg;
      }
    }
    return null;
  }

  static int run(CommandLine cli, PrintWriter out, PrintWriter err, String... args) {
    cli.setOut(out);
    cli.setErr(err);
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** {@code cli} with the project's handling of bad usage and failures. */
  static CommandLine handled(CommandLine cli) {
    cli.setParameterExceptionHandler(Main::badUsage);
    cli.setExecutionExceptionHandler((e, command, parsed) -> failure(e, command));
    cli.setExitCodeExceptionMapper(e -> ExitCodes.INTERNAL);
    return cli;
  }

  /** Bad usage: one sentence and the way to help, no usage dump, exit code 2. */
  private static int badUsage(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    String name = command.getCommandSpec().qualifiedName();
    String message = e.getMessage();
    if (e.getCause() instanceof IllegalArgumentException && e.getCause().getMessage() != null) {
      message = e.getCause().getMessage();
    }
    command.getErr().println(name + ": " + sentence(message) + " See '" + name + " --help'.");
    return ExitCodes.USAGE;
  }

  private static int failure(Exception e, CommandLine command) {
    String name = command.getCommandSpec().qualifiedName();
    if (e instanceof UserError) {
      command.getErr().println(name + ": " + sentence(e.getMessage()));
      return ((UserError) e).exitCode();
    }
    command.getErr().println(name + ": internal error (" + e.getClass().getSimpleName() + ": "
        + e.getMessage() + "); please report it with the command you ran.");
    return ExitCodes.INTERNAL;
  }

  /** Ends a message with one full stop, whatever the message ended with. */
  static String sentence(String message) {
    String text = message == null ? "failed" : message.trim();
    return text.endsWith(".") ? text : text + ".";
  }
}
