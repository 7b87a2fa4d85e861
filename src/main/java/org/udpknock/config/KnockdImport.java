package org.udpknock.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.udpknock.core.KnockSequence;

/**
 * Turns a knockd.conf into the equivalent udpknock TOML. A knockd door whose knocks are all UDP
 * becomes a door with {@code action = "none"}: {@code start_command}/{@code command} become
 * {@code on_open}, {@code stop_command} {@code on_close}, {@code cmd_timeout} {@code open_for}.
 * What cannot be carried over keeps its door out, or is dropped, and is named in a note.
 *
 * <p>knockd runs its commands with {@code system()}, through {@code /bin/sh}; udpknock runs an
 * argument list without a shell. A command without shell syntax is split on spaces; one with it
 * is run by {@code /bin/sh -c} as before, so that nothing silently changes meaning.
 */
public final class KnockdImport {
  /** knockd's defaults (knockd.c): sequence timeout 25 s, command timeout 10 s. */
  static final int KNOCKD_SEQ_TIMEOUT = 25;
  static final int KNOCKD_CMD_TIMEOUT = 10;
  /** Characters with a meaning to sh: with one of them, splitting on spaces would change the command. */
  private static final Pattern SHELL_SYNTAX = Pattern.compile("[;|&<>$`'\"\\\\()*?\\[\\]{}~#!\\n]");
  private static final Pattern SECONDS = Pattern.compile("\\d{1,9}");
  private static final Set<String> DOOR_KEYS = Set.of("sequence", "one_time_sequences", "seq_timeout",
      "tcpflags", "target", "start_command", "command", "start_command_6", "command_6", "cmd_timeout",
      "stop_command", "stop_command_6");

  private KnockdImport() {}

  /**
   * @param toml the config, loadable by {@link ConfigFile#load} when {@code doors > 0}
   * @param notes what was not converted, one sentence each; also in {@code toml} as comments
   */
  public record Result(String toml, List<String> notes, int doors) {}

  /** A section of knockd.conf: its name, its line, and its directives (lower-cased keys) with their lines. */
  private record Section(String name, int line, Map<String, String> values, Map<String, Integer> lines) {}

  /** @param source how notes name the file, e.g. {@code /etc/knockd.conf} */
  public static Result convert(String text, String source) {
    Output output = new Output(source);
    for (Section section : sections(text)) {
      if (section.name().equalsIgnoreCase("options")) {
        output.options(section);
      } else {
        output.door(section);
      }
    }
    return output.result();
  }

  private static List<Section> sections(String text) {
    List<Section> sections = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("[") && line.endsWith("]")) {
        sections.add(new Section(line.substring(1, line.length() - 1).strip(), i + 1,
            new LinkedHashMap<>(), new LinkedHashMap<>()));
      } else if (!line.isEmpty() && !line.startsWith("#") && !sections.isEmpty()) {
        Section section = sections.get(sections.size() - 1);
        int equals = line.indexOf('=');
        String key = (equals < 0 ? line : line.substring(0, equals)).strip().toLowerCase(Locale.ROOT);
        section.values().put(key, equals < 0 ? "" : line.substring(equals + 1).strip());
        section.lines().put(key, i + 1);
      }
    }
    return sections;
  }

  /** The TOML being written, the notes, and the names given so far. */
  private static final class Output {
    private final String source;
    private final StringBuilder options = new StringBuilder();
    private final StringBuilder doors = new StringBuilder();
    private final List<String> notes = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private int doorCount;

    Output(String source) {
      this.source = source;
    }

    Result result() {
      StringBuilder toml = new StringBuilder("# Converted from " + source + " by 'udpknock import-knockd'"
          + (notes.isEmpty() ? "" : "; what could not be converted is marked 'Not converted'") + ".\n");
      toml.append(options).append(doors);
      return new Result(toml.toString(), List.copyOf(notes), doorCount);
    }

    private String note(StringBuilder where, Section section, String key, String what) {
      int line = key == null ? section.line() : section.lines().get(key);
      String note = source + " line " + line + ": [" + section.name() + "] " + what;
      notes.add(note);
      where.append("# Not converted: ").append(note).append('\n');
      return note;
    }

    void options(Section section) {
      for (Map.Entry<String, String> entry : section.values().entrySet()) {
        String key = entry.getKey();
        if (key.equals("interface")) {
          options.append("interface = ").append(quoted(entry.getValue())).append('\n');
        } else if (key.equals("usesyslog") || key.equals("logfile") || key.equals("pidfile")) {
          note(options, section, key, key + ": udpknock writes its events to standard output (the"
              + " journal, under systemd) and keeps no pid file");
        } else {
          note(options, section, key, "unknown option '" + key + "'");
        }
      }
    }

    void door(Section section) {
      StringBuilder door = new StringBuilder("\n# knockd's [" + section.name() + "], line " + section.line() + "\n");
      if (convertible(door, section)) {
        writeDoor(door, section);
        doorCount++;
      }
      doors.append(door);
    }

    /** Whether the door keeps its meaning here; notes why not, and anything dropped. */
    private boolean convertible(StringBuilder door, Section section) {
      Map<String, String> values = section.values();
      boolean ok = true;
      for (String key : values.keySet()) {
        if (!DOOR_KEYS.contains(key)) {
          note(door, section, key, "unknown directive '" + key + "'; door not converted");
          ok = false;
        }
      }
      for (String key : List.of("one_time_sequences", "target")) {
        if (values.containsKey(key)) {
          note(door, section, key, key + ": udpknock has no equivalent, and the door would open on"
              + " other knocks; door not converted");
          ok = false;
        }
      }
      ok &= sequenceConvertible(door, section) & commandsConvertible(door, section);
      ok &= seconds(door, section, "seq_timeout") & seconds(door, section, "cmd_timeout");
      if (ok && values.containsKey("tcpflags")) {
        note(door, section, "tcpflags", "tcpflags = " + values.get("tcpflags") + ": dropped; it only"
            + " concerns TCP knocks, and this door's knocks are all UDP");
      }
      return ok;
    }

    private boolean sequenceConvertible(StringBuilder door, Section section) {
      String sequence = section.values().get("sequence");
      if (sequence == null) {
        if (!section.values().containsKey("one_time_sequences")) {
          note(door, section, null, "has no sequence; door not converted");
        }
        return false;
      }
      List<String> tcp = new ArrayList<>();
      if (ports(sequence, tcp) == null) {
        note(door, section, "sequence", "sequence = " + sequence + ": not 1 to " + KnockSequence.MAX_LENGTH
            + " ports PORT[:udp|:tcp]; door not converted");
        return false;
      }
      if (!tcp.isEmpty()) {
        note(door, section, "sequence", "sequence = " + sequence + ": TCP knocks (" + String.join(", ", tcp)
            + "; knockd's default protocol is TCP), and udpknock counts UDP knocks only; door not"
            + " converted (to knock with UDP instead, write the ports with :udp and import again)");
        return false;
      }
      return true;
    }

    /** The ports of a knockd sequence, or null if it is not one; TCP ports are added to {@code tcp}. */
    private static int[] ports(String sequence, List<String> tcp) {
      String[] parts = sequence.split(",");
      if (parts.length < 1 || parts.length > KnockSequence.MAX_LENGTH) {
        return null;
      }
      int[] ports = new int[parts.length];
      for (int i = 0; i < parts.length; i++) {
        String[] portAndProtocol = parts[i].strip().split(":", -1);
        String protocol = portAndProtocol.length > 1 ? portAndProtocol[1].strip().toLowerCase(Locale.ROOT) : "tcp";
        String port = portAndProtocol[0].strip();
        if (portAndProtocol.length > 2 || !port.matches("\\d{1,5}") || Integer.parseInt(port) < 1
            || Integer.parseInt(port) > 65535 || !protocol.equals("tcp") && !protocol.equals("udp")) {
          return null;
        }
        ports[i] = Integer.parseInt(port);
        if (protocol.equals("tcp")) {
          tcp.add(port);
        }
      }
      return ports;
    }

    /** An IPv6 command of its own cannot be kept: udpknock runs one command for both families. */
    private boolean commandsConvertible(StringBuilder door, Section section) {
      boolean ok = true;
      for (String[] pair : new String[][] {{"start_command_6", "start_command"}, {"command_6", "command"},
          {"stop_command_6", "stop_command"}}) {
        String six = section.values().get(pair[0]);
        if (six != null && !six.equals(section.values().getOrDefault(pair[1], six))) {
          note(door, section, pair[0], pair[0] + ": a different command for IPv6 sources, and udpknock"
              + " runs one command for both; door not converted");
          ok = false;
        }
      }
      return ok;
    }

    private boolean seconds(StringBuilder door, Section section, String key) {
      String value = section.values().get(key);
      if (value != null && (!SECONDS.matcher(value).matches() || Integer.parseInt(value) == 0)) {
        note(door, section, key, key + " = " + value + ": not a number of seconds above 0; door not converted");
        return false;
      }
      return true;
    }

    private void writeDoor(StringBuilder door, Section section) {
      Map<String, String> values = section.values();
      String name = name(door, section.name());
      door.append("[[door]]\nname = ").append(quoted(name)).append('\n');
      door.append("sequence = [").append(joined(ports(values.get("sequence"), new ArrayList<>()))).append("]\n");
      String seqTimeout = values.getOrDefault("seq_timeout", "" + KNOCKD_SEQ_TIMEOUT);
      door.append("seq_timeout = \"").append(Integer.parseInt(seqTimeout)).append("s\"")
          .append(values.containsKey("seq_timeout") ? "" : "   # knockd's default").append('\n');
      door.append("action = \"none\"\n");
      String start = values.getOrDefault("start_command", values.get("command"));
      String stop = values.get("stop_command");
      if (values.containsKey("cmd_timeout") || stop != null) {
        String cmdTimeout = values.getOrDefault("cmd_timeout", "" + KNOCKD_CMD_TIMEOUT);
        door.append("open_for = \"").append(Integer.parseInt(cmdTimeout)).append("s\"")
            .append(values.containsKey("cmd_timeout") ? "" : "      # knockd's default cmd_timeout").append('\n');
      }
      command(door, "on_open", start);
      command(door, "on_close", stop);
    }

    private String name(StringBuilder door, String knockdName) {
      String name = knockdName.replaceAll("[^A-Za-z0-9_-]", "-");
      name = name.isEmpty() || !Character.isLetter(name.charAt(0)) || name.charAt(0) > 127 ? "door-" + name : name;
      name = name.substring(0, Math.min(name.length(), 28));
      String unique = name;
      for (int i = 2; !names.add(unique); i++) {
        unique = name + "-" + i;
      }
      if (!unique.equals(knockdName)) {
        door.append("# renamed: a door's name is a letter, then letters, digits, '-' or '_'\n");
      }
      return unique;
    }

    private static void command(StringBuilder door, String key, String command) {
      if (command == null || command.isBlank()) {
        return;
      }
      List<String> arguments;
      if (SHELL_SYNTAX.matcher(command).find()) {
        door.append("# run by /bin/sh, as knockd ran it: the command uses shell syntax;"
            + " %IP% is only ever a parsed address\n");
        arguments = List.of("/bin/sh", "-c", command);
      } else {
        arguments = List.of(command.strip().split("\\s+"));
      }
      door.append(key).append(" = [").append(String.join(", ", arguments.stream().map(KnockdImport::quoted).toList()))
          .append("]\n");
    }
  }

  private static String joined(int[] ports) {
    StringBuilder text = new StringBuilder();
    for (int port : ports) {
      text.append(text.length() == 0 ? "" : ", ").append(port);
    }
    return text.toString();
  }

  /** A TOML basic string. */
  static String quoted(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        quoted.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        quoted.append(String.format("\\u%04x", (int) c));
      } else {
        quoted.append(c);
      }
    }
    return quoted.append('"').toString();
  }
}
