package org.udpknock.cli;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Generates the man pages of the CLI (AsciiDoc, one per command: udpknock.adoc,
 * udpknock-server.adoc, ...) and its bash completion from the live picocli model, so that neither
 * can drift from the options in the code. Maven runs it at prepare-package (pom.xml,
 * generate-docs) into target/docs; scripts/package turns the AsciiDoc into man pages with
 * asciidoctor. It lives with the tests because picocli-codegen is a test-scoped dependency: the
 * generator is a build tool and must not ship in udpknock.jar.
 */
public final class GenerateDocs {
  /** The completion script's name in the output directory. */
  static final String COMPLETION = "udpknock.bash";

  private GenerateDocs() {}

  /** Arguments: the output directory and the version the pages name (pom.xml's). */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: GenerateDocs OUTPUT_DIRECTORY VERSION");
    }
    generate(Path.of(args[0]), args[1]);
  }

  static void generate(Path directory, String version) throws IOException {
    Files.createDirectories(directory);
    CommandLine cli = model(version);
    int code = ManPageGenerator.generateManPage(directory.toFile(), (File) null, new boolean[0], true,
        cli.getCommandSpec());
    if (code != 0) {
      throw new IOException("picocli's ManPageGenerator failed with exit code " + code);
    }
    Files.writeString(directory.resolve(COMPLETION), AutoComplete.bash("udpknock", cli),
        StandardCharsets.UTF_8);
  }

  /**
   * The CLI with every subcommand built (Main builds only the one it runs), naming {@code version}:
   * run from target/classes, the manifest that BuildVersion reads is not there yet.
   */
  static CommandLine model(String version) {
    CommandLine cli = Main.everyCommand();
    named(cli.getCommandSpec(), version);
    cli.getSubcommands().values().forEach(sub -> named(sub.getCommandSpec(), version));
    return cli;
  }

  /**
   * Names the version on a page; gives a footer (signals, exit codes) the heading without which
   * ManPageGenerator leaves it out.
   */
  private static void named(CommandSpec spec, String version) {
    spec.versionProvider(() -> new String[] {"udpknock " + version});
    if (spec.usageMessage().footer().length > 0 && spec.usageMessage().footerHeading().isEmpty()) {
      spec.usageMessage().footerHeading("Notes");
    }
  }
}
