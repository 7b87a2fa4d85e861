package org.udpknock.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.udpknock.auth.AuthSettings;
import org.udpknock.auth.KeyFile;
import org.udpknock.auth.ServerId;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ScanGuard;
import org.udpknock.door.ActionKind;
import org.udpknock.door.Commands;
import org.udpknock.door.DoorConfig;
import org.udpknock.door.Sharing;

/** Reads one {@code [[door]]} table into a {@link DoorConfig}, with the command line's defaults. */
final class DoorReader {
  static final List<String> KEYS = List.of("name", "sequence", "seq_timeout", "scan_guard",
      "secret_file", "server_id", "max_skew", "max_ahead", "nonce_cache", "open_for", "action", "port", "protocol",
      "bind", "greeting", "write_timeout", "forward_to", "connect_timeout", "max_connections",
      "on_open", "on_close", "command_timeout", "shared", "commands");
  static final long DEFAULT_SEQ_TIMEOUT_NANOS = 5_000_000_000L;
  static final int MAX_CONNECTIONS = 65_535;
  private static final Pattern FORWARD_TO = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):(\\d{1,5})");
  private static final Pattern ADDRESS_LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");
  private static final List<String> AUTH_KEYS = List.of("server_id", "max_skew", "max_ahead", "nonce_cache");

  private final Fields fields;
  private final Path directory;

  /** @param directory the config file's directory, against which a relative secret_file is read */
  DoorReader(Fields fields, Path directory) {
    this.fields = fields;
    this.directory = directory;
  }

  /** The door's name, checked; read first, since messages about the rest name the door by it. */
  static String name(Fields fields) throws ConfigException {
    if (!fields.has("name")) {
      throw fields.error("name", "has no name; give it one, like name = \"ssh\"");
    }
    String name = fields.string("name", null);
    if (!DoorConfig.NAME.matcher(name).matches()) {
      throw fields.error("name", "name \"" + name + "\" must be a letter, then letters, digits, '-'"
          + " or '_', " + DoorConfig.MAX_NAME_LENGTH + " characters at most");
    }
    return name;
  }

  DoorConfig read(String name) throws ConfigException {
    ActionKind action = action();
    refuseKeysOf(action);
    DoorConfig.KnockRules rules = rules();
    int port = port(action);
    return new DoorConfig(name, rules, fields.duration("open_for", DoorConfig.DEFAULT_OPEN_FOR_NANOS),
        action, port, bind(), fields.string("greeting", DoorConfig.DEFAULT_GREETING),
        fields.duration("write_timeout", DoorConfig.DEFAULT_WRITE_TIMEOUT_NANOS), forwardTo(action),
        fields.duration("connect_timeout", DoorConfig.DEFAULT_CONNECT_TIMEOUT_NANOS),
        fields.integer("max_connections", 1, MAX_CONNECTIONS, DoorConfig.DEFAULT_MAX_CONNECTIONS),
        commands(), sharing());
  }

  private ActionKind action() throws ConfigException {
    String label = fields.string("action", ActionKind.GREET.label());
    for (ActionKind kind : ActionKind.values()) {
      if (kind.label().equals(label)) {
        return kind;
      }
    }
    throw fields.error("action", "unknown action \"" + label + "\"; an action is one of: greet, forward, nftables, none");
  }

  /** Keys that only some actions use: given to another, they would silently do nothing. */
  private void refuseKeysOf(ActionKind action) throws ConfigException {
    refuseUnless(action == ActionKind.GREET, action, "greeting", "write_timeout");
    refuseUnless(action.listens(), action, "bind");
    refuseUnless(action == ActionKind.FORWARD, action, "forward_to", "connect_timeout", "max_connections");
    refuseUnless(action == ActionKind.NFTABLES, action, "protocol");
    for (String key : AUTH_KEYS) {
      if (fields.has(key) && !fields.has("secret_file")) {
        throw fields.error(key, key + " is only used with secret_file (authenticated knocks); add"
            + " secret_file or remove " + key);
      }
    }
  }

  private void refuseUnless(boolean used, ActionKind action, String... keys) throws ConfigException {
    for (String key : keys) {
      if (!used && fields.has(key)) {
        throw fields.error(key, key + " does nothing with action \"" + action.label() + "\"; remove it"
            + " or change the action");
      }
    }
  }

  private DoorConfig.KnockRules rules() throws ConfigException {
    KnockSequence sequence = fields.has("sequence")
        ? KnockSequence.of(fields.integers("sequence", 1, KnockSequence.MAX_LENGTH, 1, 65535))
        : KnockSequence.DEFAULT;
    long seqTimeout = fields.duration("seq_timeout", DEFAULT_SEQ_TIMEOUT_NANOS);
    AuthSettings auth = auth();
    int guard = fields.integer("scan_guard", 0, ScanGuard.MAX_DISTANCE,
        auth == null ? ScanGuard.DEFAULT_DISTANCE : 0);
    return new DoorConfig.KnockRules(sequence, seqTimeout, guard, auth);
  }

  private AuthSettings auth() throws ConfigException {
    String secretFile = fields.string("secret_file", null);
    String serverId = fields.string("server_id", null);
    long maxSkew = fields.duration("max_skew", AuthSettings.DEFAULT_MAX_SKEW_NANOS);
    long maxAhead = fields.duration("max_ahead", AuthSettings.DEFAULT_MAX_AHEAD_NANOS);
    int nonceCache = fields.integer("nonce_cache", 1, Config.MAX_TABLE_SIZE, AuthSettings.DEFAULT_NONCE_CACHE);
    if (secretFile == null) {
      return null;
    }
    if (serverId != null && !ServerId.isValid(serverId)) {
      throw fields.error("server_id", "server_id must be 1-" + ServerId.MAX_LENGTH
          + " printable ASCII characters without spaces, not \"" + serverId + "\"");
    }
    KeyFile.Contents key = readKey(directory.resolve(secretFile), serverId);
    return new AuthSettings(key.key(), key.serverId(), maxSkew, maxAhead, nonceCache);
  }

  private KeyFile.Contents readKey(Path file, String serverId) throws ConfigException {
    KeyFile.Contents contents;
    try {
      contents = KeyFile.read(file);
    } catch (KeyFile.KeyFileException e) {
      throw fields.error("secret_file", "secret_file: " + e.getMessage());
    }
    if (serverId != null) {
      return new KeyFile.Contents(contents.key(), ServerId.of(serverId));
    }
    if (contents.serverId() == null) {
      throw fields.error("secret_file", "secret_file " + file + " names no server: add a line"
          + " 'server-id NAME' to it, or set server_id in this door");
    }
    return contents;
  }

  private int port(ActionKind action) throws ConfigException {
    boolean required = action == ActionKind.FORWARD || action == ActionKind.NFTABLES;
    if (required && !fields.has("port")) {
      throw fields.error("action", "action \"" + action.label() + "\" needs a port, like port = 22");
    }
    if (action == ActionKind.NFTABLES) {
      String protocol = fields.string("protocol", "tcp");
      if (!protocol.equals("tcp")) {
        throw fields.error("protocol", "protocol must be \"tcp\", not \"" + protocol
            + "\"; nftables doors guard TCP ports only");
      }
    }
    int otherwise = action == ActionKind.GREET ? DoorConfig.DEFAULT_PORT : 0;
    return fields.integer("port", 1, 65535, otherwise);
  }

  /** An address literal, never a name: a config must not depend on DNS at start. */
  private InetAddress bind() throws ConfigException {
    String text = fields.string("bind", null);
    if (text == null) {
      return null;
    }
    String complaint = "bind must be an IPv4 or IPv6 address of this host, like \"127.0.0.1\" or \"::1\","
        + " not \"" + text + "\"";
    if (!ADDRESS_LITERAL.matcher(text).matches() || !text.contains(".") && !text.contains(":")) {
      throw fields.error("bind", complaint);
    }
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw fields.error("bind", complaint);
    }
  }

  private String forwardTo(ActionKind action) throws ConfigException {
    if (action != ActionKind.FORWARD) {
      return null;
    }
    if (!fields.has("forward_to")) {
      throw fields.error("action", "action \"forward\" needs forward_to, the backend as HOST:PORT,"
          + " like forward_to = \"127.0.0.1:22\"");
    }
    String target = fields.string("forward_to", null);
    var match = FORWARD_TO.matcher(target);
    int port = match.matches() ? Integer.parseInt(match.group(2)) : 0;
    if (port < 1 || port > 65535) {
      throw fields.error("forward_to", "forward_to must be HOST:PORT with a port 1-65535, like"
          + " \"127.0.0.1:22\" or \"[::1]:22\", not \"" + target + "\"");
    }
    return target;
  }

  /** {@code shared} and {@code commands}; the config file checks that a shared door has a grant store. */
  private Sharing sharing() throws ConfigException {
    boolean shared = fields.bool("shared", false);
    String where = fields.string("commands", "local");
    if (!where.equals("local") && !where.equals("all")) {
      throw fields.error("commands", "commands must be \"local\" (on_open and on_close run on the host that saw"
          + " the knock) or \"all\" (on every host of the fleet), not \"" + where + "\"");
    }
    if (!shared && fields.has("commands")) {
      throw fields.error("commands", "commands says where a shared door's commands run; set shared = true,"
          + " or remove it");
    }
    return new Sharing(shared, where.equals("all"));
  }

  private Commands commands() throws ConfigException {
    return new Commands(fields.arguments("on_open"), fields.arguments("on_close"),
        fields.duration("command_timeout", Commands.DEFAULT_TIMEOUT_NANOS));
  }
}
