package org.udpknock.cli;

import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Range;

/**
 * The commands' picocli models, built with picocli's programmatic API instead of read from
 * annotations. Reading annotations makes the JDK generate a proxy class per annotation type at
 * every start, which JDK 17's class-data archive cannot keep, and reflect over every field and
 * its generic signature: about 40 ms of each run, more than half of a short command's own time.
 * The models are the same: the usage, the man pages and the completion are made from them.
 */
final class Specs {
  private Specs() {}

  /** What the usage says of a command besides its options: its name, description and footer. */
  record Usage(String name, String[] description, String[] footer) {
    Usage(String name, String description, String... footer) {
      this(name, new String[] {description}, footer);
    }

    /** The command as its parent's usage lists it: a name and a description, no options. */
    CommandSpec listing() {
      CommandSpec spec = CommandSpec.wrapWithoutInspection(null, FACTORY).name(name); // As create(), without its DefaultFactory.
      spec.usageMessage().description(description);
      return spec;
    }
  }

  /**
   * picocli's DefaultFactory, made only if a model asks for an instance, which these models do
   * not: its class initialiser looks for Groovy's Closure class, a failed lookup through the
   * class path and an exception, about 7 ms of each start (async-profiler, the server's).
   */
  static final IFactory FACTORY = new IFactory() {
    @Override
    public <K> K create(Class<K> type) throws Exception {
      return CommandLine.defaultFactory().create(type);
    }
  };

  /** The model of {@code command} (its {@code call()} runs it), without options yet. */
  static CommandSpec command(Object command, Usage usage) {
    CommandSpec spec = CommandSpec.wrapWithoutInspection(command, FACTORY).name(usage.name());
    spec.usageMessage().description(usage.description()).footer(usage.footer());
    return spec.versionProvider(new BuildVersion());
  }

  /**
   * {@code spec} with {@code -h/--help} and {@code -V/--version} after its own options, as
   * picocli's {@code mixinStandardHelpOptions} adds them (which would read them from annotations).
   */
  static CommandSpec withHelp(CommandSpec spec) {
    spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
        .description("Show this help message and exit.").build());
    spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
        .description("Print version information and exit.").build());
    return spec;
  }

  /** An option taking a value of {@code type}, which {@code field} keeps once it is parsed. */
  static <T> OptionSpec.Builder option(Class<T> type, Consumer<T> field, String... names) {
    return OptionSpec.builder(names).type(type).setter(setter(field)).hasInitialValue(false);
  }

  /** An option without a value: true when given. */
  static OptionSpec.Builder flag(Consumer<Boolean> field, String... names) {
    return option(boolean.class, field, names).arity("0");
  }

  /**
   * The positional parameter at {@code index} (e.g. "0", or "0..*" for several), taking
   * {@code arity} values ("1", "0..1", "1..*"): required when that is at least one, as picocli's
   * annotations make it.
   */
  static <T> PositionalParamSpec.Builder parameter(Class<T> type, Consumer<T> field, String index, String arity) {
    return PositionalParamSpec.builder().index(index).arity(arity).required(Range.valueOf(arity).min() > 0)
        .type(type).setter(setter(field)).hasInitialValue(false);
  }

  /**
   * picocli's setter over {@code field}. The field keeps its Java initial value until parsed
   * (hasInitialValue false): each model parses one command line.
   */
  private static <T> ISetter setter(Consumer<T> field) {
    return new ISetter() {
      @Override
      @SuppressWarnings("unchecked")
      public <V> V set(V value) {
        field.accept((T) value);
        return null;
      }
    };
  }
}
