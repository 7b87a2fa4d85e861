package org.udpknock.fleet;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import org.udpknock.auth.KnockKey;
import org.udpknock.core.Addresses;
import org.udpknock.door.DoorConfig;
import org.udpknock.server.LocalAddresses;

/**
 * The text a host writes to the grant store and announces, one line of printable ASCII:
 *
 * <pre>
 * udpknock-grant/1 HOST INSTANCE DOOR SOURCE EXPIRES_MS ISSUED_MS MAC
 * udpknock-grant/1 bastion-a 5f3c9a0e12b47d68 ssh 10.1.2.3 1767225600000 1767225570000 9c1f...(64 hex)
 * </pre>
 *
 * HOST is the signer's {@code host_name}, INSTANCE a random token per process (16 hex digits:
 * a host skips its own echoes), DOOR the door's name, SOURCE the source address as {@link
 * Addresses#format} prints it (never a link-local one: it means something on one link only),
 * EXPIRES_MS and ISSUED_MS wall-clock milliseconds since the epoch, and MAC the lower-case hex
 * HMAC-SHA256, under the fleet key, of the line's bytes before the space that precedes it.
 *
 * <p>{@link #decode} checks, in this order: the shape (bounded length, eight fields), the MAC
 * (constant time, before any field is believed), the fields, then the times against the
 * caller's clock. Pure: no I/O, no clock, never throws on any input.
 */
public final class GrantMessage {
  public static final String VERSION = "udpknock-grant/1";
  /** Longer lines are refused unread: a real message is under 200 bytes. */
  public static final int MAX_LENGTH = 512;
  /**
   * How far ahead of this host's clock a message's ISSUED_MS may be: the clock skew the fleet
   * tolerates between hosts (NTP keeps them within milliseconds). A message issued further
   * ahead comes from a host with a wrong clock, whose expiries cannot be trusted either.
   */
  public static final long MAX_CLOCK_SKEW_NANOS = 5_000_000_000L;

  private static final int FIELDS = 8;
  private static final int MAC_HEX_LENGTH = 64;
  private static final long NANOS_PER_MILLI = 1_000_000L;
  private static final Pattern DOOR = DoorConfig.NAME;
  private static final Pattern HOST = Pattern.compile("[\\x21-\\x7E]{1,64}");
  private static final Pattern INSTANCE = Pattern.compile("[0-9a-f]{16}");
  private static final Pattern MILLIS = Pattern.compile("[0-9]{1,13}");
  /** The last millisecond whose nanoseconds fit a long (the year 2262). */
  private static final long MAX_MILLIS = Long.MAX_VALUE / 1_000_000L;
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*");
  private static final Pattern MAC_HEX = Pattern.compile("[0-9a-f]{" + MAC_HEX_LENGTH + "}");
  private static final HexFormat HEX = HexFormat.of();

  private GrantMessage() {}

  /** What {@link #decode} found: a {@link Decoded} message or a {@link Refused} one. */
  public sealed interface Result permits Decoded, Refused {}

  /** A checked message: {@code grant}'s end is EXPIRES_MS in nanoseconds; {@code issuedNanos} likewise. */
  public record Decoded(SharedGrant grant, String host, String instance, long issuedNanos) implements Result {}

  /**
   * A refused message: {@code reason} is one of {@code malformed}, {@code unsigned}, {@code
   * bad-signature}, {@code expired}, {@code from-the-future}; {@code detail} a short phrase that
   * quotes nothing of the line but, once checked, its host, door and source.
   */
  public record Refused(String reason, String detail) implements Result {}

  /** True for a name {@link #encode} accepts as HOST: 1 to 64 printable ASCII characters, no space. */
  public static boolean isValidHostName(String host) {
    return host != null && HOST.matcher(host).matches();
  }

  /** True for an INSTANCE token: 16 lower-case hex digits. */
  public static boolean isValidInstance(String instance) {
    return instance != null && INSTANCE.matcher(instance).matches();
  }

  /**
   * The signed line for {@code grant}. Times are truncated to milliseconds, so that a grant never
   * ends later on another host than here.
   *
   * @throws IllegalArgumentException for a link-local source, or a door, host, instance or time
   *     (before 1970) that the receivers would refuse as malformed
   */
  public static String encode(SharedGrant grant, String host, String instance, long issuedNanos, KnockKey key) {
    if (Addresses.isScoped(grant.sourceHi())) {
      throw new IllegalArgumentException("a link-local source is not shared: it means something on one link only");
    }
    require(DOOR, grant.door(), "door");
    require(HOST, host, "host");
    require(INSTANCE, instance, "instance");
    if (grant.expiresAtNanos() < 0 || issuedNanos < 0) {
      throw new IllegalArgumentException("times before 1970: " + grant.expiresAtNanos() + ", " + issuedNanos);
    }
    String body = String.join(" ", VERSION, host, instance, grant.door(),
        Addresses.format(grant.sourceHi(), grant.sourceLo()),
        Long.toString(Math.floorDiv(grant.expiresAtNanos(), NANOS_PER_MILLI)),
        Long.toString(Math.floorDiv(issuedNanos, NANOS_PER_MILLI)));
    return body + " " + mac(body, key);
  }

  /** The message in {@code text}, checked under {@code key} at wall-clock {@code nowNanos}; never throws. */
  public static Result decode(String text, KnockKey key, long nowNanos) {
    if (text == null || text.length() > MAX_LENGTH || !printable(text)) {
      return new Refused("malformed", "not a line of at most " + MAX_LENGTH + " printable characters");
    }
    String[] fields = text.split(" ", -1);
    if (!fields[0].equals(VERSION)) {
      return new Refused("malformed", "not a " + VERSION + " message");
    }
    if (fields.length == FIELDS - 1) {
      return new Refused("unsigned", "no MAC");
    }
    if (fields.length != FIELDS) {
      return new Refused("malformed", fields.length + " fields instead of " + FIELDS);
    }
    String body = text.substring(0, text.lastIndexOf(' '));
    if (!MAC_HEX.matcher(fields[7]).matches() || !macMatches(body, fields[7], key)) {
      return new Refused("bad-signature", "MAC does not match the fleet key");
    }
    return checkedFields(fields, nowNanos);
  }

  private static Result checkedFields(String[] fields, long nowNanos) {
    long[] source = sourceKey(fields[4]);
    if (!HOST.matcher(fields[1]).matches() || !INSTANCE.matcher(fields[2]).matches()
        || !DOOR.matcher(fields[3]).matches() || source == null
        || !isMillis(fields[5]) || !isMillis(fields[6])) {
      return new Refused("malformed", "signed, but a field is out of form");
    }
    String from = "door " + fields[3] + " source " + fields[4] + " from " + fields[1];
    long expiresNanos = Long.parseLong(fields[5]) * NANOS_PER_MILLI; // isMillis: no overflow.
    long issuedNanos = Long.parseLong(fields[6]) * NANOS_PER_MILLI;
    if (expiresNanos <= nowNanos) {
      return new Refused("expired", from + ", expired " + (nowNanos - expiresNanos) / NANOS_PER_MILLI + " ms ago");
    }
    if (issuedNanos - MAX_CLOCK_SKEW_NANOS > nowNanos) { // Issued >= 0: the subtraction cannot overflow.
      return new Refused("from-the-future", from + ", issued " + (issuedNanos - nowNanos) / NANOS_PER_MILLI
          + " ms ahead of this host's clock");
    }
    SharedGrant grant = new SharedGrant(fields[3], source[0], source[1], expiresNanos);
    return new Decoded(grant, fields[1], fields[2], issuedNanos);
  }

  /**
   * The engine's key of an address in the exact text {@link Addresses#format} prints, or null.
   * Only literals reach {@link InetAddress} (an IPv6 one always has a colon, so it is never
   * looked up in DNS); IPv4 is parsed here for the same reason.
   */
  static long[] sourceKey(String text) {
    long[] key = IPV4.matcher(text).matches() ? ipv4Key(text)
        : IPV6.matcher(text).matches() ? ipv6Key(text) : null;
    if (key == null || key[0] == Addresses.LINK_LOCAL_HI || !Addresses.format(key[0], key[1]).equals(text)) {
      return null; // Not the canonical form a host writes, or link-local (never shared).
    }
    return key;
  }

  private static long[] ipv4Key(String text) {
    int address = 0;
    for (String octet : text.split("\\.")) {
      int value = Integer.parseInt(octet); // At most 3 digits: the pattern says so.
      if (value > 255) {
        return null;
      }
      address = address << 8 | value;
    }
    return new long[] {0, Addresses.ipv4Lo(address)};
  }

  private static long[] ipv6Key(String text) {
    try {
      InetAddress address = InetAddress.getByName(text);
      // ::ffff:a.b.c.d comes back as IPv4; its canonical text is a.b.c.d.
      return address instanceof Inet6Address ? LocalAddresses.key(address) : null;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** The MAC field for {@code body}: package-private so that tests can sign what encode refuses. */
  static String mac(String body, KnockKey key) {
    Mac mac = key.newMac();
    return HEX.formatHex(mac.doFinal(body.getBytes(StandardCharsets.US_ASCII)));
  }

  private static boolean macMatches(String body, String macHex, KnockKey key) {
    byte[] expected = key.newMac().doFinal(body.getBytes(StandardCharsets.US_ASCII));
    return MessageDigest.isEqual(expected, HEX.parseHex(macHex));
  }

  private static boolean isMillis(String field) {
    return MILLIS.matcher(field).matches() && Long.parseLong(field) <= MAX_MILLIS;
  }

  private static boolean printable(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
  }

  private static void require(Pattern pattern, String value, String what) {
    if (value == null || !pattern.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " not in form for a grant message: " + value);
    }
  }
}
