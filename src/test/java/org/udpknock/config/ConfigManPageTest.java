package org.udpknock.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * udpknock.toml(5) (src/docs/udpknock.toml.5.adoc, issue 12 item 2) is written by hand, since the
 * keys are not declared in one registry: it must describe exactly the keys the reader accepts,
 * each with its default and an example, and its example file must load.
 */
class ConfigManPageTest {
  private static final Path PAGE = Path.of("src", "docs", "udpknock.toml.5.adoc");
  /** An entry: {@code *key* = "VALUE"::} at the start of a line. */
  private static final Pattern ENTRY = Pattern.compile("(?m)^\\*([a-z_]+)\\* = .*::$");
  @TempDir Path dir;

  @Test
  void theTopLevelKeysAreExactlyTheReadersOnes() throws IOException {
    Set<String> accepted = new TreeSet<>(ConfigFile.TOP_LEVEL_KEYS);
    accepted.remove(KeyLines.DOOR); // the [[door]] tables, a section of their own
    assertEquals(accepted, entries(section("== Top-level keys")).keySet());
  }

  @Test
  void theDoorKeysAreExactlyTheReadersOnes() throws IOException {
    assertEquals(new TreeSet<>(DoorReader.KEYS), entries(section("== Door keys")).keySet());
  }

  @Test
  void everyKeyHasADefaultAndAnExampleOfItself() throws IOException {
    Map<String, String> all = entries(section("== Top-level keys"));
    all.putAll(entries(section("== Door keys")));
    List<String> incomplete = new ArrayList<>();
    all.forEach((key, text) -> {
      if (!text.contains("Default: ") || !text.contains("Example: *" + key + " = ")) {
        incomplete.add(key);
      }
    });
    assertEquals(List.of(), incomplete, "entries without 'Default:' or 'Example: *KEY = ...*'");
  }

  @Test
  void theExampleFileLoads() throws Exception {
    String example = section("== Example");
    int start = example.indexOf("----\n") + 5;
    Path file = dir.resolve("example.toml");
    Files.writeString(file, example.substring(start, example.indexOf("----\n", start)));
    Config config = ConfigFile.load(file);
    assertEquals(List.of("default", "ssh-relay"), config.doors().stream().map(d -> d.name()).toList());
  }

  /** The page's text from {@code heading} to the next section. */
  private static String section(String heading) throws IOException {
    String page = Files.readString(PAGE);
    int start = page.indexOf("\n" + heading + "\n");
    assertTrue(start >= 0, heading + " missing from " + PAGE);
    int end = page.indexOf("\n== ", start + heading.length() + 1);
    return page.substring(start, end < 0 ? page.length() : end);
  }

  /** Each entry's key and its text up to the next entry, in page order. */
  private static Map<String, String> entries(String section) {
    Map<String, String> entries = new LinkedHashMap<>();
    Matcher entry = ENTRY.matcher(section);
    List<Integer> starts = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    while (entry.find()) {
      starts.add(entry.start());
      keys.add(entry.group(1));
    }
    for (int i = 0; i < keys.size(); i++) {
      int end = i + 1 < starts.size() ? starts.get(i + 1) : section.length();
      String previous = entries.put(keys.get(i), section.substring(starts.get(i), end));
      assertTrue(previous == null, keys.get(i) + " is described twice");
    }
    return entries;
  }
}
