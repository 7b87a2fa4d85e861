package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the CLI: exit code and both outputs. */
final class CliRun {
  final int code;
  final String out;
  final String err;

  private CliRun(int code, String out, String err) {
    this.code = code;
    this.out = out;
    this.err = err;
  }

  static CliRun of(String... args) {
    return run(false, args);
  }

  /** A run of the benchmarks' CLI (src/bench, BenchMain). */
  static CliRun bench(String... args) {
    return run(true, args);
  }

  private static CliRun run(boolean bench, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = bench ? BenchMain.run(new PrintWriter(out), new PrintWriter(err), args)
        : Main.run(new PrintWriter(out), new PrintWriter(err), args);
    CliRun run = new CliRun(code, out.toString(), err.toString());
    assertFalse(run.err.contains("\tat ") || run.err.contains("Exception:"),
        "stack trace or raw exception on stderr: " + run.err);
    return run;
  }

  /** Stderr must be exactly one line. */
  String oneLineError() {
    String text = err.strip();
    if (text.isEmpty() || text.contains("\n")) {
      throw new AssertionError("expected one line on stderr, got: <" + err + ">");
    }
    return text;
  }
}
