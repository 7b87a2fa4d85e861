package org.udpknock.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.udpknock.report.EventOutput;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

@Command(name = "udpknock", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
    description = "A port-knocking daemon that sniffs UDP knocks with libpcap.",
    subcommands = {ServerCommand.class, KnockCommand.class, ReplayCommand.class, InterfacesCommand.class,
        KeygenCommand.class, CheckConfigCommand.class, ImportKnockdCommand.class})
public final class Main {

  public static void main(String[] args) {
    exit(new Main(), args);
  }

  /** Runs {@code command}'s CLI on the process's stdout and stderr, and exits with its code. */
  static void exit(Object command, String[] args) {
    // Not System.out: a PrintStream hides write errors, and replay and the server must see them.
    PrintWriter out = EventOutput.over(new FileOutputStream(FileDescriptor.out), 1 << 16);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    int code = run(commandLine(command), out, err, args);
    out.flush();
    System.exit(code);
  }

  /** Runs the CLI in-process; tests call this with their own writers. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(commandLine(new Main()), out, err, args);
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
    CommandLine cli = new CommandLine(root);
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
