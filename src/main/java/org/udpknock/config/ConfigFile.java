package org.udpknock.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.udpknock.door.DoorConfig;
import org.udpknock.fleet.FleetSettings;
import org.udpknock.nft.GuardedPort;
import org.udpknock.nft.NftTable;

/**
 * Reads a TOML config file ({@code /etc/udpknock/udpknock.toml}): top-level settings and
 * {@code [[door]]} tables. The one entry point is {@link #load}.
 */
public final class ConfigFile {
  static final List<String> TOP_LEVEL_KEYS = topLevelKeys();
  private static List<String> topLevelKeys() {
    List<String> keys = new ArrayList<>(List.of("interface", "json", "quiet", "max_sources", "max_grants",
        "capture_buffer", "any_destination", "wait_for_interface", "nftables", "nft_table", "metrics"));
    keys.addAll(FleetReader.KEYS);
    keys.add(KeyLines.DOOR);
    return List.copyOf(keys);
  }

  /** A config is a few hundred bytes; a bound keeps a wrong path (a disk image) from filling the heap. */
  static final int MAX_FILE_BYTES = 1 << 20;
  private static final TomlMapper TOML = new TomlMapper();

  private ConfigFile() {}

  /**
   * Reads and checks {@code file}, including each authenticated door's key file.
   *
   * @throws ConfigException with one sentence naming the file, the line and the key
   */
  public static Config load(Path file) throws ConfigException {
    String text = readText(file);
    KeyLines lines = KeyLines.of(text);
    ObjectNode root = parse(file, text, lines);
    Fields top = new Fields(file, root, "", lines::topLevel);
    top.refuseUnknownKeys(TOP_LEVEL_KEYS, "the top-level keys");
    List<DoorConfig> doors = doors(file, root.get(KeyLines.DOOR), lines);
    FleetSettings fleet = new FleetReader(top, file.toAbsolutePath().getParent()).read();
    refuseSharedWithoutStore(file, doors, fleet, lines);
    return new Config(file, interfaceName(top), top.bool("json", false), top.bool("quiet", false),
        top.integer("max_sources", 1, Config.MAX_TABLE_SIZE, Config.DEFAULT_MAX_SOURCES),
        top.integer("max_grants", 1, Config.MAX_TABLE_SIZE, Config.DEFAULT_MAX_GRANTS),
        top.captureBuffer("capture_buffer", Config.DEFAULT_CAPTURE_BUFFER_BYTES),
        top.bool("any_destination", false), top.bool("wait_for_interface", false),
        nftables(top), nftTable(top), doors, top.metrics("metrics"), fleet);
  }

  /** A shared door shares through the grant store: without one, it would silently share nothing. */
  private static void refuseSharedWithoutStore(Path file, List<DoorConfig> doors, FleetSettings fleet, KeyLines lines)
      throws ConfigException {
    for (int i = 0; i < doors.size() && fleet == null; i++) {
      if (doors.get(i).sharing().shared()) {
        throw invalid(file, lines.doorKey(i, "shared"), "door \"" + doors.get(i).name() + "\": shared = true"
            + " needs grant_store at the top of the file, the Redis that the fleet's hosts share");
      }
    }
  }

  static ConfigException invalid(Path file, int line, String what) {
    return new ConfigException(ConfigException.Kind.INVALID, file + " line " + line + ": " + what);
  }

  private static String readText(Path file) throws ConfigException {
    if (Files.isDirectory(file) || Files.exists(file) && !Files.isRegularFile(file)) {
      throw unreadable(file, "is not a regular file; give the path of a TOML config file");
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      if (bytes.length > MAX_FILE_BYTES) {
        throw unreadable(file, "is larger than " + MAX_FILE_BYTES + " bytes; is it the config file?");
      }
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (NoSuchFileException e) {
      throw unreadable(file, "does not exist; check the path");
    } catch (AccessDeniedException e) {
      throw unreadable(file, "is not readable by this user; run as its owner or fix its mode");
    } catch (CharacterCodingException e) {
      throw unreadable(file, "is not UTF-8 text, as TOML must be");
    } catch (IOException e) {
      throw unreadable(file, "could not be read (" + e.getMessage() + ")");
    }
  }

  private static ConfigException unreadable(Path file, String what) {
    return new ConfigException(ConfigException.Kind.UNREADABLE, file + " " + what);
  }

  private static ObjectNode parse(Path file, String text, KeyLines lines) throws ConfigException {
    try {
      JsonNode root = TOML.readTree(text);
      return root instanceof ObjectNode ? (ObjectNode) root : TOML.createObjectNode();
    } catch (StreamReadException e) {
      KeyLines.Duplicate duplicate = lines.duplicate();
      if (duplicate != null && "Duplicate key".equals(e.getOriginalMessage())) {
        throw new ConfigException(ConfigException.Kind.SYNTAX, file + " line " + duplicate.line()
            + ": not valid TOML: key '" + duplicate.key() + "' is given twice (first on line "
            + duplicate.firstLine() + ")");
      }
      JsonLocation where = e.getLocation();
      String line = where == null || where.getLineNr() < 1 ? "" : " line " + where.getLineNr();
      throw new ConfigException(ConfigException.Kind.SYNTAX, file + line + ": not valid TOML: "
          + e.getOriginalMessage());
    } catch (JacksonException e) {
      throw new ConfigException(ConfigException.Kind.SYNTAX, file + ": not valid TOML: " + e.getOriginalMessage());
    }
  }

  private static List<DoorConfig> doors(Path file, JsonNode tables, KeyLines lines) throws ConfigException {
    if (tables == null || tables.isArray() && tables.isEmpty()) {
      throw invalid(file, 1, "no door; add a [[door]] table with a name and a sequence");
    }
    if (!tables.isArray()) {
      throw invalid(file, lines.topLevel(KeyLines.DOOR), "door must be written [[door]], one such"
          + " table per door, not " + Fields.describe(tables));
    }
    List<DoorConfig> doors = new ArrayList<>();
    for (int i = 0; i < tables.size(); i++) {
      doors.add(door(file, tables.get(i), i, lines));
    }
    refuseConflicts(file, doors, lines);
    return doors;
  }

  private static DoorConfig door(Path file, JsonNode table, int index, KeyLines lines) throws ConfigException {
    if (!(table instanceof ObjectNode)) {
      throw invalid(file, lines.door(index), "door " + (index + 1) + " must be a table, not "
          + Fields.describe(table));
    }
    Fields anonymous = new Fields(file, (ObjectNode) table, "door " + (index + 1), key -> lines.doorKey(index, key));
    anonymous.refuseUnknownKeys(DoorReader.KEYS, "the keys of a door");
    String name = DoorReader.name(anonymous);
    Fields named = new Fields(file, (ObjectNode) table, "door \"" + name + "\"", key -> lines.doorKey(index, key));
    Path directory = file.toAbsolutePath().getParent();
    return new DoorReader(named, directory).read(name);
  }

  /** Two doors with one name, or two listening on one TCP port, cannot both be run. */
  private static void refuseConflicts(Path file, List<DoorConfig> doors, KeyLines lines) throws ConfigException {
    Map<String, DoorConfig> byName = new HashMap<>();
    Map<Integer, DoorConfig> byPort = new HashMap<>();
    for (int i = 0; i < doors.size(); i++) {
      DoorConfig door = doors.get(i);
      DoorConfig sameName = byName.putIfAbsent(door.name(), door);
      if (sameName != null) {
        throw invalid(file, lines.doorKey(i, "name"), "door \"" + door.name() + "\": another door"
            + " has this name; give each door its own");
      }
      DoorConfig samePort = door.action().listens() ? byPort.putIfAbsent(door.port(), door) : null;
      if (samePort != null) {
        throw invalid(file, lines.doorKey(i, "port"), "door \"" + door.name() + "\": door \""
            + samePort.name() + "\" already listens on TCP port " + door.port() + "; give each"
            + " greet or forward door its own port");
      }
    }
  }

  private static String interfaceName(Fields top) throws ConfigException {
    String name = top.string("interface", null);
    if (name != null && name.isBlank()) {
      throw top.error("interface", "interface must name an interface, like \"eth0\" or \"any\"; leave it"
          + " out for the default");
    }
    return name;
  }

  private static Config.Nftables nftables(Fields top) throws ConfigException {
    String mode = top.string("nftables", Config.Nftables.AUTO.label());
    for (Config.Nftables value : Config.Nftables.values()) {
      if (value.label().equals(mode)) {
        return value;
      }
    }
    throw top.error("nftables", "nftables must be \"auto\", \"require\" or \"off\", not \"" + mode + "\"");
  }

  private static String nftTable(Fields top) throws ConfigException {
    String name = top.string("nft_table", NftTable.DEFAULT_NAME);
    try {
      new NftTable(name, List.of(new GuardedPort("service", 1)));
    } catch (IllegalArgumentException e) {
      throw top.error("nft_table", "nft_table must be a lowercase letter, then lowercase letters, digits"
          + " or '_', 24 characters at most, not \"" + name + "\"");
    }
    return name;
  }
}
