package org.udpknock.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.udpknock.capture.PcapCapture;
import org.udpknock.report.EventOutput;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

@Command(name = "udpknock", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
    description = "A port-knocking daemon that sniffs UDP knocks with libpcap.")
public final class Main {
  /** The subcommands, in the order the usage lists them. */
  private static final List<Class<?>> SUBCOMMANDS = List.of(ServerCommand.class, KnockCommand.class,
      ReplayCommand.class, InterfacesCommand.class, KeygenCommand.class, CheckConfigCommand.class,
      ImportKnockdCommand.class);

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

  /** Runs {@code command}'s CLI on the process's stdout and stderr, and exits with its code. */
  static void exit(Object command, String[] args) {
    exit(commandLine(command), args);
  }

  private static void exit(CommandLine cli, String[] args) {
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
   * The udpknock CLI for {@code args}. Only the subcommand they invoke is built from its class;
   * the others are only a name and a description for the usage. picocli's reflection over a
   * subcommand's options costs tens of milliseconds at start, a few times a hello world's run
   * for all of them.
   */
  static CommandLine commandLine(String[] args) {
    CommandLine cli = new CommandLine(new Main());
    String invoked = invokedName(args);
    for (Class<?> type : SUBCOMMANDS) {
      Command command = type.getAnnotation(Command.class);
      cli.addSubcommand(command.name(),
          command.name().equals(invoked) ? new CommandLine(type) : listing(command));
    }
    return handled(cli);
  }

  /**
   * The whole CLI, every subcommand built from its class: the model that the man pages and the
   * bash completion are generated from at build time (GenerateDocs, in the tests' sources).
   */
  static CommandLine everyCommand() {
    CommandLine cli = new CommandLine(new Main());
    SUBCOMMANDS.forEach(type -> cli.addSubcommand(new CommandLine(type)));
    return cli;
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

  /** A subcommand as the usage lists it, without its options. */
  private static CommandLine listing(Command command) {
    CommandSpec spec = CommandSpec.create().name(command.name());
    spec.usageMessage().description(command.description()).hidden(command.hidden());
    return new CommandLine(spec);
  }

  static int run(CommandLine cli, PrintWriter out, PrintWriter err, String... args) {
    cli.setOut(out);
    cli.setErr(err);
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** The CLI of {@code root} with the project's handling of bad usage and failures. */
  static CommandLine commandLine(Object root) {
    return handled(new CommandLine(root));
  }

  private static CommandLine handled(CommandLine cli) {
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
