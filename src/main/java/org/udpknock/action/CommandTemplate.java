package org.udpknock.action;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A door's {@code on_open} or {@code on_close} as the admin wrote it: an argument list with
 * {@code %IP%}, {@code %DOOR%} and {@code %PORT%} replaced inside each argument, in one pass (a
 * replaced value is never scanned again). Other {@code %...%} text stays as written.
 *
 * <p>The values are checked before they are put in: an address is made only of hex digits, dots
 * and colons, a door name of letters, digits, {@code -} and {@code _}. So even inside an argument
 * the admin hands to {@code /bin/sh -c}, a value can never be shell syntax.
 */
public final class CommandTemplate {
  private static final Pattern PLACEHOLDER = Pattern.compile("%(IP|DOOR|PORT)%");
  private static final Pattern ADDRESS = Pattern.compile("[0-9a-fA-F.:]{2,45}");
  private static final Pattern DOOR = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");

  private final List<String> arguments;

  public CommandTemplate(List<String> arguments) {
    this.arguments = List.copyOf(arguments);
  }

  public boolean isEmpty() {
    return arguments.isEmpty();
  }

  /**
   * The arguments with the placeholders replaced.
   *
   * @throws IllegalArgumentException naming the value, when {@code address} is not an address's
   *     text, {@code door} not a door name, or {@code port} out of 0..65535
   */
  public List<String> render(String address, String door, int port) {
    if (!ADDRESS.matcher(address).matches()) {
      throw new IllegalArgumentException("not an address: \"" + FirstLine.escape(address) + "\"");
    }
    if (!DOOR.matcher(door).matches()) {
      throw new IllegalArgumentException("not a door name: \"" + FirstLine.escape(door) + "\"");
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    List<String> rendered = new ArrayList<>(arguments.size());
    for (String argument : arguments) {
      rendered.add(replace(argument, address, door, Integer.toString(port)));
    }
    return rendered;
  }

  private static String replace(String argument, String address, String door, String port) {
    Matcher placeholder = PLACEHOLDER.matcher(argument);
    return placeholder.replaceAll(found -> Matcher.quoteReplacement(switch (found.group(1)) {
      case "IP" -> address;
      case "DOOR" -> door;
      default -> port;
    }));
  }
}
