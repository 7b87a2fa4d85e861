package org.udpknock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's replay examples, generated from the committed captures rather than pasted: each is
 * a fenced block after {@link #MARKER}, whose first line is the command
 * ({@code $ scripts/udpknock replay ARGS}) and whose other lines are what that command prints
 * today. {@code scripts/update-readme-examples} rewrites them ({@link #main}); ReadmeExamplesTest
 * fails when one has drifted.
 */
final class ReadmeExamples {
  static final String MARKER = "<!-- replay example: written by scripts/update-readme-examples -->";
  static final String COMMAND = "$ scripts/udpknock replay ";
  private static final String FENCE = "```";

  private ReadmeExamples() {}

  /** Rewrites README.md (or the file given) in place. */
  public static void main(String[] args) throws IOException {
    Path readme = Path.of(args.length > 0 ? args[0] : "README.md");
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    Files.writeString(readme, regenerate(text), StandardCharsets.UTF_8);
    System.err.println("udpknock: " + commands(text).size() + " replay examples written in " + readme);
  }

  /** The text with the output of every marked example replaced by what its command prints now. */
  static String regenerate(String readme) {
    List<String> lines = new ArrayList<>(readme.lines().toList());
    for (int at = 0; at < lines.size(); at++) {
      if (lines.get(at).equals(MARKER)) {
        int command = at + 2;
        int end = blockEnd(lines, command);
        List<String> output = run(lines.get(command));
        lines.subList(command + 1, end).clear();
        lines.addAll(command + 1, output);
      }
    }
    return String.join("\n", lines) + (readme.endsWith("\n") ? "\n" : "");
  }

  /** The commands of the marked examples. */
  static List<String> commands(String readme) {
    List<String> lines = readme.lines().toList();
    List<String> commands = new ArrayList<>();
    for (int at = 0; at < lines.size(); at++) {
      if (lines.get(at).equals(MARKER)) {
        blockEnd(lines, at + 2);
        commands.add(lines.get(at + 2));
      }
    }
    return commands;
  }

  /** Checks that a fence and a replay command follow the marker; returns the closing fence's line. */
  private static int blockEnd(List<String> lines, int command) {
    if (command >= lines.size() || !lines.get(command - 1).equals(FENCE) || !lines.get(command).startsWith(COMMAND)) {
      throw new IllegalArgumentException("line " + (command - 1) + ": " + MARKER
          + " must be followed by " + FENCE + " and a line starting with '" + COMMAND + "'");
    }
    int end = lines.subList(command, lines.size()).indexOf(FENCE);
    if (end < 0) {
      throw new IllegalArgumentException("line " + (command + 1) + ": the example's block is never closed");
    }
    return command + end;
  }

  /** What {@code udpknock replay ARGS} prints, run in-process; the examples' arguments hold no quotes. */
  private static List<String> run(String commandLine) {
    String[] args = commandLine.substring("$ scripts/udpknock ".length()).trim().split(" +");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    if (code != 0) {
      throw new IllegalStateException(commandLine + ": exit " + code + ": " + err);
    }
    return out.toString().lines().toList();
  }
}
