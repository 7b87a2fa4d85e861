package org.udpknock.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The keys of one TOML table (the top level or a door), read with their types checked; every
 * error names the file, the key's line, the table and what is wrong.
 */
final class Fields {
  private final Path file;
  private final ObjectNode table;
  private final String label;
  private final ToIntFunction<String> lineOfKey;

  /**
   * @param label how messages name the table, e.g. {@code door "ssh"}; empty for the top level
   * @param lineOfKey the line of a key of this table
   */
  Fields(Path file, ObjectNode table, String label, ToIntFunction<String> lineOfKey) {
    this.file = file;
    this.table = table;
    this.label = label;
    this.lineOfKey = lineOfKey;
  }

  ConfigException error(String key, String what) {
    return ConfigFile.invalid(file, lineOfKey.applyAsInt(key), (label.isEmpty() ? "" : label + ": ") + what);
  }

  /** Refuses the first key not in {@code known}, listing them as the keys of {@code whose}. */
  void refuseUnknownKeys(List<String> known, String whose) throws ConfigException {
    for (Iterator<String> names = table.fieldNames(); names.hasNext(); ) {
      String key = names.next();
      if (!known.contains(key)) {
        throw error(key, "unknown key '" + key + "'; " + whose + " are: " + String.join(", ", known));
      }
    }
  }

  boolean has(String key) {
    return table.has(key);
  }

  String string(String key, String otherwise) throws ConfigException {
    JsonNode value = table.get(key);
    if (value == null) {
      return otherwise;
    }
    if (!value.isTextual()) {
      throw error(key, key + " must be a string, not " + describe(value));
    }
    return value.textValue();
  }

  boolean bool(String key, boolean otherwise) throws ConfigException {
    JsonNode value = table.get(key);
    if (value == null) {
      return otherwise;
    }
    if (!value.isBoolean()) {
      throw error(key, key + " must be true or false, not " + describe(value));
    }
    return value.booleanValue();
  }

  int integer(String key, int min, int max, int otherwise) throws ConfigException {
    JsonNode value = table.get(key);
    if (value == null) {
      return otherwise;
    }
    return checkedInt(key, value, min, max, key);
  }

  private int checkedInt(String key, JsonNode value, int min, int max, String what) throws ConfigException {
    if (!value.isIntegralNumber()) {
      throw error(key, what + " must be an integer " + min + "-" + max + ", not " + describe(value));
    }
    if (!value.canConvertToInt() || value.intValue() < min || value.intValue() > max) {
      throw error(key, what + " must be " + min + "-" + max + ", not " + value.asText());
    }
    return value.intValue();
  }

  /** A duration longer than 0, written as a string: {@code "5s"}, {@code "500ms"}, {@code "2m"}. */
  long duration(String key, long otherwise) throws ConfigException {
    Long nanos = quoted(key, "a duration in quotes, like \"5s\", \"500ms\" or \"2m\"", Durations::parseNanos);
    if (nanos == null) {
      return otherwise;
    }
    if (nanos <= 0) {
      throw error(key, key + " must be longer than 0");
    }
    return nanos;
  }

  /** A capture ring's size, written as a string: {@code "8m"}, {@code "16MB"} ({@link Sizes#captureBufferBytes}). */
  int captureBuffer(String key, int otherwise) throws ConfigException {
    Integer bytes = quoted(key, "a size in quotes, like \"8m\" or \"16MB\"", Sizes::captureBufferBytes);
    return bytes == null ? otherwise : bytes;
  }

  /** Where metrics are served, written as a string: {@code "127.0.0.1:9741"} ({@link MetricsAddress}); null when absent. */
  MetricsAddress metrics(String key) throws ConfigException {
    return quoted(key, "an address and a port in quotes, like \"127.0.0.1:9741\"", MetricsAddress::parse);
  }

  /**
   * A value written as a string and read by {@code parse}, which refuses it with an
   * IllegalArgumentException; null when the key is absent. {@code expected} says what to write.
   */
  private <T> T quoted(String key, String expected, Function<String, T> parse)
      throws ConfigException {
    JsonNode value = table.get(key);
    if (value == null) {
      return null;
    }
    if (!value.isTextual()) {
      throw error(key, key + " must be " + expected + ", not " + describe(value));
    }
    try {
      return parse.apply(value.textValue());
    } catch (IllegalArgumentException e) {
      throw error(key, key + ": " + e.getMessage());
    }
  }

  /** An array of {@code minLength}-{@code maxLength} integers, each {@code min}-{@code max}. */
  int[] integers(String key, int minLength, int maxLength, int min, int max) throws ConfigException {
    JsonNode value = table.get(key);
    if (!value.isArray()) {
      throw error(key, key + " must be an array of integers " + min + "-" + max + ", like [12001, 12002, 12003],"
          + " not " + describe(value));
    }
    if (value.size() < minLength || value.size() > maxLength) {
      throw error(key, key + " must hold " + minLength + " to " + maxLength + " ports, not " + value.size());
    }
    int[] numbers = new int[value.size()];
    for (int i = 0; i < numbers.length; i++) {
      numbers[i] = checkedInt(key, value.get(i), min, max, key + "[" + i + "]");
    }
    return numbers;
  }

  /** A non-empty array of non-empty strings: an argument list. Empty when the key is absent. */
  List<String> arguments(String key) throws ConfigException {
    JsonNode value = table.get(key);
    if (value == null) {
      return List.of();
    }
    String expected = key + " must be a non-empty array of non-empty strings, the program and its"
        + " arguments, like [\"/usr/bin/logger\", \"%IP%\"]";
    if (!value.isArray() || value.isEmpty()) {
      throw error(key, expected + ", not " + describe(value));
    }
    List<String> arguments = new ArrayList<>();
    for (JsonNode argument : value) {
      if (!argument.isTextual() || argument.textValue().isEmpty()) {
        throw error(key, expected + "; it holds " + describe(argument));
      }
      arguments.add(argument.textValue());
    }
    return arguments;
  }

  /** How a message names a value: {@code the string "22"}, {@code the integer 22}, {@code an array}. */
  static String describe(JsonNode value) {
    if (value.isTextual()) {
      return "the string \"" + value.textValue() + "\"";
    } else if (value.isIntegralNumber()) {
      return "the integer " + value.asText();
    } else if (value.isNumber()) {
      return "the number " + value.asText();
    } else if (value.isBoolean()) {
      return value.asText();
    } else if (value.isArray()) {
      return value.isEmpty() ? "an empty array" : "an array";
    } else if (value.isObject()) {
      return "a table";
    }
    return "a " + value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }
}
