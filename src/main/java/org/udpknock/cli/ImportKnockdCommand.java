package org.udpknock.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.udpknock.config.KnockdImport;
import picocli.CommandLine.Model.CommandSpec;

final class ImportKnockdCommand implements Callable<Integer> {
  static final Specs.Usage USAGE = new Specs.Usage("import-knockd",
      "Print the udpknock config equivalent to a knockd.conf. Doors whose knocks are all"
          + " UDP become doors with action \"none\" and knockd's commands; whatever cannot be converted"
          + " (TCP knocks, tcpflags, one_time_sequences, target, unknown directives) is named in a"
          + " comment and on standard error.",
      "", "Example: udpknock import-knockd /etc/knockd.conf > /etc/udpknock/udpknock.toml",
      "Exit codes: 0 at least one door converted, 1 the file cannot be read, 2 no door could be converted.");

  /** knockd.conf is a few hundred bytes; this keeps a wrong path from filling the heap. */
  private static final int MAX_FILE_BYTES = 1 << 20;

  final CommandSpec spec = Specs.command(this, USAGE);
  Path file;

  ImportKnockdCommand() {
    spec.addPositional(Specs.parameter(Path.class, value -> file = value, "0", "1").paramLabel("FILE")
        .description("knockd's config file, e.g. /etc/knockd.conf.").build());
  }

  @Override
  public Integer call() {
    KnockdImport.Result result = KnockdImport.convert(read(file), file.toString());
    spec.commandLine().getOut().print(result.toml());
    spec.commandLine().getOut().flush();
    result.notes().forEach(note -> spec.commandLine().getErr().println("not converted: " + note));
    if (result.doors() == 0) {
      throw new UserError(ExitCodes.USAGE, "no door of " + file + " could be converted (see the notes above);"
          + " udpknock counts UDP knocks only");
    }
    return ExitCodes.OK;
  }

  private static String read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UserError(ExitCodes.FAILURE, file + (Files.exists(file) ? " is not a regular file" : " does not exist")
          + "; give the path of a knockd.conf");
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      if (bytes.length > MAX_FILE_BYTES) {
        throw new UserError(ExitCodes.FAILURE, file + " is larger than " + MAX_FILE_BYTES + " bytes; is it a knockd.conf?");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UserError(ExitCodes.FAILURE, file + " does not exist; give the path of a knockd.conf");
    } catch (IOException e) {
      throw new UserError(ExitCodes.FAILURE, file + " could not be read (" + e.getMessage() + ")");
    }
  }
}
