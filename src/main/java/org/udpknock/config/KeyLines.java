package org.udpknock.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The line of each key of a TOML text that has already parsed, so that an error can name it:
 * Jackson's TOML module builds a tree and keeps no locations. Knows top-level keys (a table
 * header {@code [name]} counts as the key {@code name}), and the keys of each {@code [[door]]}
 * table, in order. Strings, multi-line strings, comments and values spread over several lines are
 * skipped, so a {@code key =} inside them is not taken for a key.
 */
final class KeyLines {
  static final String DOOR = "door";

  private final Map<String, Integer> topLevel = new HashMap<>();
  private final List<Integer> doorHeaders = new ArrayList<>();
  private final List<Map<String, Integer>> doorKeys = new ArrayList<>();
  /** Where the scan is: in a multi-line string (its delimiter), and how deep in brackets. */
  private String openString;
  private int depth;
  private Map<String, Integer> context = topLevel;
  private Duplicate duplicate;

  /** A key given twice in one table: Jackson refuses it, but names the line after the value. */
  record Duplicate(String key, int firstLine, int line) {}

  private KeyLines() {}

  static KeyLines of(String text) {
    KeyLines lines = new KeyLines();
    String[] all = text.split("\r?\n", -1);
    for (int i = 0; i < all.length; i++) {
      lines.scanLine(all[i], i + 1);
    }
    return lines;
  }

  /** The first key given twice in one table (top level or door), or null. */
  Duplicate duplicate() {
    return duplicate;
  }

  /** The line of top-level {@code key}, or 1. */
  int topLevel(String key) {
    return topLevel.getOrDefault(key, 1);
  }

  /** The line of the {@code index}th (0-based) {@code [[door]]} header, or that of {@code door}. */
  int door(int index) {
    return index < doorHeaders.size() ? doorHeaders.get(index) : topLevel(DOOR);
  }

  /** The line of {@code key} in the {@code index}th door, or the door's header line. */
  int doorKey(int index, String key) {
    Integer line = index < doorKeys.size() ? doorKeys.get(index).get(key) : null;
    return line != null ? line : door(index);
  }

  private void scanLine(String line, int number) {
    int start = 0;
    if (openString == null && depth == 0) {
      String stripped = line.strip();
      if (stripped.startsWith("[")) {
        header(stripped, number);
        return;
      }
      String key = firstKeySegment(stripped);
      if (key != null) {
        Integer first = context.putIfAbsent(key, number);
        if (first != null && duplicate == null) {
          duplicate = new Duplicate(key, first, number);
        }
        start = line.indexOf('=') + 1;
      }
    }
    scanValue(line, start);
  }

  private void header(String stripped, int number) {
    boolean array = stripped.startsWith("[[");
    int end = stripped.indexOf(array ? "]]" : "]");
    String name = stripped.substring(array ? 2 : 1, end < 0 ? stripped.length() : end).strip();
    if (array && name.equals(DOOR)) {
      doorHeaders.add(number);
      context = new HashMap<>();
      doorKeys.add(context);
      return;
    }
    if (name.startsWith(DOOR + ".") && !doorKeys.isEmpty()) {
      doorKeys.get(doorKeys.size() - 1).putIfAbsent(firstKeySegment(name.substring(5) + "="), number);
    } else {
      topLevel.putIfAbsent(firstKeySegment(name + "="), number);
    }
    context = new HashMap<>(); // The keys of another table: not looked up.
  }

  /** The first segment of the key of {@code key = value} (bare or quoted), or null. */
  private static String firstKeySegment(String stripped) {
    if (stripped.startsWith("\"") || stripped.startsWith("'")) {
      int close = stripped.indexOf(stripped.charAt(0), 1);
      return close < 0 ? null : stripped.substring(1, close);
    }
    int end = 0;
    while (end < stripped.length() && isBareKeyChar(stripped.charAt(end))) {
      end++;
    }
    String rest = stripped.substring(end).strip();
    return end > 0 && (rest.startsWith("=") || rest.startsWith(".")) ? stripped.substring(0, end) : null;
  }

  private static boolean isBareKeyChar(char c) {
    return Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '-';
  }

  /** Follows strings, comments and brackets from {@code from} to the end of the line. */
  private void scanValue(String line, int from) {
    int i = from;
    while (i < line.length()) {
      if (openString != null) {
        i = closeMultiLine(line, i);
        continue;
      }
      char c = line.charAt(i);
      if (c == '#') {
        return;
      } else if (line.startsWith("\"\"\"", i) || line.startsWith("'''", i)) {
        openString = line.substring(i, i + 3);
        i += 3;
      } else if (c == '"' || c == '\'') {
        i = endOfString(line, i);
      } else {
        depth += c == '[' || c == '{' ? 1 : c == ']' || c == '}' ? -1 : 0;
        i++;
      }
    }
  }

  /** Past the closing delimiter of the open multi-line string, or the end of the line. */
  private int closeMultiLine(String line, int from) {
    for (int i = from; i < line.length(); i++) {
      if (openString.equals("\"\"\"") && line.charAt(i) == '\\') {
        i++;
      } else if (line.startsWith(openString, i)) {
        openString = null;
        return i + 3;
      }
    }
    return line.length();
  }

  /** Past the closing quote of the one-line string opening at {@code open}. */
  private static int endOfString(String line, int open) {
    char quote = line.charAt(open);
    for (int i = open + 1; i < line.length(); i++) {
      if (quote == '"' && line.charAt(i) == '\\') {
        i++;
      } else if (line.charAt(i) == quote) {
        return i + 1;
      }
    }
    return line.length();
  }
}
