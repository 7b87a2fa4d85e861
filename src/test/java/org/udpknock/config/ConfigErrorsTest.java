package org.udpknock.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden messages: every refusal of a config file names the file, the line of the key, the door
 * and what is wrong, in one sentence. FILE stands for the file's path.
 */
class ConfigErrorsTest {
  @TempDir Path dir;

  private static final String DOOR = "[[door]]\nname = \"ssh\"\n";

  @Test
  void unknownTopLevelKey() {
    assertRefused("FILE line 2: unknown key 'jsn'; the top-level keys are: interface, json, quiet,"
        + " max_sources, max_grants, capture_buffer, any_destination, wait_for_interface, nftables, nft_table, metrics, grant_store, fleet_key_file, grant_store_password_file, grant_store_ca_file, host_name, door",
        "interface = \"lo\"\njsn = true\n" + DOOR);
  }

  @Test
  void unknownDoorKey() {
    assertRefused("FILE line 5: door 1: unknown key 'sequense'; the keys of a door are: name, sequence,"
        + " seq_timeout, scan_guard, secret_file, server_id, max_skew, max_ahead, nonce_cache, open_for, action,"
        + " port, protocol, bind, greeting, write_timeout, forward_to, connect_timeout, max_connections,"
        + " on_open, on_close, command_timeout, shared, commands",
        "# comment\n\n" + DOOR + "sequense = [1, 2]\n");
  }

  @Test
  void unknownKeyIsFoundPastMultiLineValues() {
    assertRefused("FILE line 11: door 2: unknown key 'prot'; the keys of a door are: name, sequence,"
        + " seq_timeout, scan_guard, secret_file, server_id, max_skew, max_ahead, nonce_cache, open_for, action,"
        + " port, protocol, bind, greeting, write_timeout, forward_to, connect_timeout, max_connections,"
        + " on_open, on_close, command_timeout, shared, commands",
        "[[door]]\nname = \"a\"\nport = 2224\n"
            + "[[door]]\ngreeting = \"\"\"\nprot = 1\n\"\"\"\nsequence = [\n  7000, # prot = 2\n]\n"
            + "prot = 4\nname = \"b\"\n");
  }

  @Test
  void wrongTypes() {
    assertRefused("FILE line 3: door \"ssh\": port must be an integer 1-65535, not the string \"22\"",
        DOOR + "port = \"22\"\n");
    assertRefused("FILE line 1: json must be true or false, not the string \"yes\"",
        "json = \"yes\"\n" + DOOR);
    assertRefused("FILE line 1: interface must be a string, not the integer 3", "interface = 3\n" + DOOR);
    assertRefused("FILE line 3: door \"ssh\": sequence must be an array of integers 1-65535, like"
        + " [12001, 12002, 12003], not the string \"1,2,3\"", DOOR + "sequence = \"1,2,3\"\n");
    assertRefused("FILE line 3: door \"ssh\": seq_timeout must be a duration in quotes, like \"5s\","
        + " \"500ms\" or \"2m\", not the integer 5", DOOR + "seq_timeout = 5\n");
    assertRefused("FILE line 3: door 1: name must be a string, not the integer 1",
        "[[door]]\n\nname = 1\n");
  }

  @Test
  void outOfRangeValues() {
    assertRefused("FILE line 4: door \"ssh\": port must be 1-65535, not 70000",
        DOOR + "action = \"nftables\"\nport = 70000\n");
    assertRefused("FILE line 3: door \"ssh\": port must be 1-65535, not 99999999999", DOOR + "port = 99999999999\n");
    assertRefused("FILE line 3: door \"ssh\": scan_guard must be 0-1000, not 1001", DOOR + "scan_guard = 1001\n");
    assertRefused("FILE line 3: door \"ssh\": sequence must hold 1 to 32 ports, not 0", DOOR + "sequence = []\n");
    assertRefused("FILE line 3: door \"ssh\": sequence must hold 1 to 32 ports, not 33",
        DOOR + "sequence = [" + "1,".repeat(32) + "1]\n");
    assertRefused("FILE line 3: door \"ssh\": sequence[1] must be 1-65535, not 0", DOOR + "sequence = [7, 0]\n");
    assertRefused("FILE line 3: door \"ssh\": sequence[0] must be an integer 1-65535, not the number 7.5",
        DOOR + "sequence = [7.5]\n");
    assertRefused("FILE line 3: door \"ssh\": open_for must be longer than 0", DOOR + "open_for = \"0s\"\n");
    assertRefused("FILE line 3: door \"ssh\": seq_timeout: '5 sec' is not a duration; write it like 5s,"
        + " 500ms or 2m", DOOR + "seq_timeout = \"5 sec\"\n");
    assertRefused("FILE line 3: door \"ssh\": command_timeout: '9999999999999h' is not a duration;"
        + " write it like 5s, 500ms or 2m", DOOR + "command_timeout = \"9999999999999h\"\n");
    assertRefused("FILE line 1: max_sources must be 1-50000000, not 0", "max_sources = 0\n" + DOOR);
    assertRefused("FILE line 1: max_grants must be 1-50000000, not 50000001", "max_grants = 50000001\n" + DOOR);
    assertRefused("FILE line 3: door \"ssh\": max_connections must be 1-65535, not 0",
        DOOR + "max_connections = 0\naction = \"forward\"\nport = 2222\nforward_to = \"127.0.0.1:22\"\n");
  }

  @Test
  void namesOfDoors() {
    assertRefused("FILE line 1: door 1: has no name; give it one, like name = \"ssh\"", "[[door]]\nport = 2224\n");
    assertRefused("FILE line 4: door 2: has no name; give it one, like name = \"ssh\"",
        DOOR + "\n[[door]]\nport = 2224\n");
    assertRefused("FILE line 2: door 1: name \"my door\" must be a letter, then letters, digits, '-' or '_',"
        + " 32 characters at most", "[[door]]\nname = \"my door\"\n");
    assertRefused("FILE line 5: door \"ssh\": another door has this name; give each door its own",
        DOOR + "port = 2224\n[[door]]\nname = \"ssh\"\n");
  }

  @Test
  void actions() {
    assertRefused("FILE line 3: door \"ssh\": unknown action \"open\"; an action is one of: greet,"
        + " forward, nftables, none", DOOR + "action = \"open\"\n");
    assertRefused("FILE line 3: door \"ssh\": action \"forward\" needs forward_to, the backend as HOST:PORT,"
        + " like forward_to = \"127.0.0.1:22\"", DOOR + "action = \"forward\"\nport = 2222\n");
    assertRefused("FILE line 3: door \"ssh\": action \"nftables\" needs a port, like port = 22",
        DOOR + "action = \"nftables\"\n");
    assertRefused("FILE line 5: door \"ssh\": forward_to must be HOST:PORT with a port 1-65535, like"
        + " \"127.0.0.1:22\" or \"[::1]:22\", not \"127.0.0.1\"",
        DOOR + "action = \"forward\"\nport = 2222\nforward_to = \"127.0.0.1\"\n");
    assertRefused("FILE line 5: door \"ssh\": forward_to must be HOST:PORT with a port 1-65535, like"
        + " \"127.0.0.1:22\" or \"[::1]:22\", not \"::1:22\"",
        DOOR + "action = \"forward\"\nport = 2222\nforward_to = \"::1:22\"\n");
    assertRefused("FILE line 5: door \"ssh\": greeting does nothing with action \"nftables\"; remove it or"
        + " change the action", DOOR + "action = \"nftables\"\nport = 22\ngreeting = \"hi\"\n");
    assertRefused("FILE line 4: door \"ssh\": protocol must be \"tcp\", not \"udp\"; nftables doors guard"
        + " TCP ports only", DOOR + "action = \"nftables\"\nprotocol = \"udp\"\nport = 22\n");
    assertRefused("FILE line 3: door \"ssh\": bind must be an IPv4 or IPv6 address of this host, like"
        + " \"127.0.0.1\" or \"::1\", not \"localhost\"", DOOR + "bind = \"localhost\"\n");
  }

  @Test
  void twoListeningDoorsOnOnePort() {
    assertRefused("FILE line 6: door \"relay\": door \"ssh\" already listens on TCP port 2223; give each"
        + " greet or forward door its own port",
        DOOR + "[[door]]\nname = \"relay\"\naction = \"forward\"\nport = 2223\nforward_to = \"[::1]:22\"\n");
    assertRefused("FILE line 3: door \"b\": door \"ssh\" already listens on TCP port 2223; give each"
        + " greet or forward door its own port", DOOR + "[[door]]\nname = \"b\"\n");
  }

  @Test
  void commands() {
    String expected = "FILE line 3: door \"ssh\": on_open must be a non-empty array of non-empty strings,"
        + " the program and its arguments, like [\"/usr/bin/logger\", \"%IP%\"]";
    assertRefused(expected + ", not the string \"logger %IP%\"", DOOR + "on_open = \"logger %IP%\"\n");
    assertRefused(expected + ", not an empty array", DOOR + "on_open = []\n");
    assertRefused(expected.replace("on_open", "on_close") + "; it holds the integer 1",
        DOOR + "on_close = [\"/bin/echo\", 1]\n");
    assertRefused(expected + "; it holds the string \"\"", DOOR + "on_open = [\"\", \"x\"]\n");
  }

  @Test
  void authenticatedDoors() throws IOException {
    assertRefused("FILE line 3: door \"ssh\": server_id is only used with secret_file (authenticated"
        + " knocks); add secret_file or remove server_id", DOOR + "server_id = \"a\"\n");
    Path key = dir.resolve("open.key");
    Files.writeString(key, "00".repeat(32) + "\nserver-id a\n");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    assertRefused("FILE line 3: door \"ssh\": secret_file: key file " + key + " has mode 0644, which"
        + " gives group or others access; run: chmod 600 " + key, DOOR + "secret_file = \"open.key\"\n");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    assertRefused("FILE line 4: door \"ssh\": server_id must be 1-64 printable ASCII characters without"
        + " spaces, not \"a b\"", DOOR + "secret_file = \"open.key\"\nserver_id = \"a b\"\n");
    Files.writeString(key, "00".repeat(32) + "\n");
    assertRefused("FILE line 3: door \"ssh\": secret_file " + key + " names no server: add a line"
        + " 'server-id NAME' to it, or set server_id in this door", DOOR + "secret_file = \"open.key\"\n");
  }

  @Test
  void topLevelValues() {
    assertRefused("FILE line 1: nftables must be \"auto\", \"require\" or \"off\", not \"yes\"",
        "nftables = \"yes\"\n" + DOOR);
    assertRefused("FILE line 2: nft_table must be a lowercase letter, then lowercase letters, digits or"
        + " '_', 24 characters at most, not \"Knock\"", "\nnft_table = \"Knock\"\n" + DOOR);
    assertRefused("FILE line 1: interface must name an interface, like \"eth0\" or \"any\"; leave it out"
        + " for the default", "interface = \"\"\n" + DOOR);
  }

  @Test
  void doorTables() {
    assertRefused("FILE line 1: no door; add a [[door]] table with a name and a sequence", "json = true\n");
    assertRefused("FILE line 2: door must be written [[door]], one such table per door, not a table",
        "json = true\n[door]\nname = \"a\"\n");
  }

  @Test
  void syntaxErrorsGiveTheLine() {
    assertRefused("FILE line 5: not valid TOML: More data after value has already ended."
        + " Invalid value preceding this position?", "json = true\n\n" + DOOR + "port = 22 22\n",
        ConfigException.Kind.SYNTAX);
    assertRefused("FILE line 4: not valid TOML: key 'port' is given twice (first on line 3)",
        DOOR + "port = 2224\nport = 2225\n\n\n", ConfigException.Kind.SYNTAX);
  }

  @Test
  void unreadableFiles() throws IOException {
    ConfigException missing = assertThrows(ConfigException.class, () -> ConfigFile.load(dir.resolve("none.toml")));
    assertEquals(dir.resolve("none.toml") + " does not exist; check the path", missing.getMessage());
    assertEquals(ConfigException.Kind.UNREADABLE, missing.kind());
    ConfigException directory = assertThrows(ConfigException.class, () -> ConfigFile.load(dir));
    assertEquals(dir + " is not a regular file; give the path of a TOML config file", directory.getMessage());
    Path binary = dir.resolve("binary.toml");
    Files.write(binary, new byte[] {'a', '=', '"', (byte) 0xff, '"'});
    assertEquals(binary + " is not UTF-8 text, as TOML must be",
        assertThrows(ConfigException.class, () -> ConfigFile.load(binary)).getMessage());
  }

  private void assertRefused(String expected, String toml) {
    assertRefused(expected, toml, ConfigException.Kind.INVALID);
  }

  private void assertRefused(String expected, String toml, ConfigException.Kind kind) {
    Path file = dir.resolve("udpknock.toml");
    try {
      Files.writeString(file, toml);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigFile.load(file), toml);
    assertEquals(expected, e.getMessage().replace(file.toString(), "FILE"), toml);
    assertEquals(kind, e.kind(), toml);
  }
}
