package org.udpknock.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NetlinkElements} against the kernel: grants written through libnftnl/libmnl appear in a
 * real nft set of a network namespace made for the test, with the grant's timeout to the
 * millisecond, IPv4 and IPv6, renewed without duplicates; a refused batch says so. The socket is
 * opened by a thread that entered the namespace (setns) and ends with the test, so no other test
 * is moved. Needs root: skipped, and said so, when not root and CI is unset.
 */
class NetlinkElementsNamespaceTest {
  private static final Random RANDOM = new Random();
  private static final int CLONE_NEWNET = 0x40000000;
  private static final String TABLE = "uknl";

  /** Entering a namespace: open its file, setns on the calling thread. */
  interface LibC extends Library {
    int open(String path, int flags) throws LastErrorException;

    int setns(int fd, int type) throws LastErrorException;

    int close(int fd);
  }

  private final String namespace = "uknl" + Integer.toHexString(0x10000 + RANDOM.nextInt(0xeffff));
  private final GuardedPort door = new GuardedPort("door", 20000 + RANDOM.nextInt(10000));
  private final ExecutorService inNamespace = Executors.newSingleThreadExecutor();

  @BeforeEach
  void createNamespace() throws Exception {
    if (!"0".equals(run("id", "-u").strip()) && System.getenv("CI") == null) {
      System.out.println("SKIPPED NetlinkElementsNamespaceTest: network namespaces and nftables need root"
          + " (run as root, or set CI to make this a failure)");
      Assumptions.abort("not root");
    }
    assertEquals(0, exit("ip", "netns", "add", namespace), "ip netns add " + namespace);
    onNamespaceThread(() -> {
      LibC libc = Native.load("c", LibC.class);
      int fd = libc.open("/run/netns/" + namespace, 0);
      libc.setns(fd, CLONE_NEWNET);
      libc.close(fd);
      return null;
    });
    nft("add table inet " + TABLE + "\n" + new NftTable(TABLE, List.of(door)).setUpCommands());
  }

  @AfterEach
  void deleteNamespace() throws Exception {
    inNamespace.shutdownNow();
    assertTrue(inNamespace.awaitTermination(5, TimeUnit.SECONDS), "the namespace thread did not stop");
    exit("ip", "netns", "del", namespace); // takes the table with it
  }

  @Test
  void anIpv4AndAnIpv6GrantAppearInTheirSetsWithTheGrantsTimeout() throws Exception {
    allow(allowance("10.20.30.40", 25_250), allowance("2001:db8::7", 41_375));

    assertTimeout(25_250, "door_v4", "10.20.30.40");
    assertTimeout(41_375, "door_v6", "2001:db8::7");
  }

  @Test
  void aSecondGrantRenewsTheElementsTimeoutAndLeavesOneElement() throws Exception {
    allow(allowance("10.20.30.41", 3_000), allowance("2001:db8::8", 3_000));
    allow(allowance("10.20.30.41", 50_500), allowance("2001:db8::8", 50_500));

    String v4 = nft("list set inet " + TABLE + " door_v4");
    assertEquals(1, count(v4, "10.20.30.41 "), v4);
    assertTimeout(50_500, "door_v4", "10.20.30.41");
    assertTimeout(50_500, "door_v6", "2001:db8::8");
  }

  /** One source, the usual grant: added as a new element, or, when it is there, renewed. */
  @Test
  void aGrantOfOneSourceIsAddedThenRenewedWithTheLatestTimeout() throws Exception {
    allow(allowance("10.20.30.43", 3_000));
    assertTimeout(3_000, "door_v4", "10.20.30.43");
    allow(allowance("10.20.30.43", 50_500));

    String v4 = nft("list set inet " + TABLE + " door_v4");
    assertEquals(1, count(v4, "10.20.30.43 "), v4);
    assertTimeout(50_500, "door_v4", "10.20.30.43");
  }

  @Test
  void theWarmUpLeavesNoElement() throws Exception {
    onNamespaceThread(() -> {
      try (NetlinkElements netlink = NetlinkElements.open()) {
        netlink.warm(TABLE, door);
      }
      return null;
    });
    assertFalse(nft("list set inet " + TABLE + " door_v4").contains("elements"), "0.0.0.0 stays in the set");
  }

  @Test
  void aSetThatIsNotThereIsRefusedWithTheKernelsErrno() throws Exception {
    GuardedPort missing = new GuardedPort("missing", door.port());
    Exception refused = assertThrows(Exception.class, () -> onNamespaceThread(() -> {
      try (NetlinkElements netlink = NetlinkElements.open()) {
        netlink.allow(TABLE, missing, List.of(allowance("10.20.30.42", 5_000)));
      }
      return null;
    }));
    assertTrue(String.valueOf(refused.getCause()).contains("errno 2"), "ENOENT expected: " + refused.getCause());
  }

  private void allow(Allowance... allowances) throws Exception {
    onNamespaceThread(() -> {
      try (NetlinkElements netlink = NetlinkElements.open()) {
        assertTrue(NetlinkElements.handles(List.of(allowances)));
        netlink.allow(TABLE, door, List.of(allowances));
      }
      return null;
    });
  }

  private static Allowance allowance(String address, long timeoutMillis) throws IOException {
    byte[] bytes = InetAddress.getByName(address).getAddress();
    ByteBuffer mapped = ByteBuffer.allocate(16);
    if (bytes.length == 4) {
      mapped.putLong(0).putInt(0xffff).put(bytes);
    } else {
      mapped.put(bytes);
    }
    return new Allowance(mapped.getLong(0), mapped.getLong(8), 0, timeoutMillis);
  }

  /** The kernel keeps timeouts in jiffies (4 ms at HZ=250), so nft shows 25s248ms for 25250 ms. */
  private void assertTimeout(long expectedMillis, String set, String address) throws Exception {
    String listing = nft("list set inet " + TABLE + " " + set);
    Matcher m = Pattern.compile(Pattern.quote(address) + " timeout (\\S+) expires (\\S+?)[,\\s]").matcher(listing);
    assertTrue(m.find(), "no element " + address + " with a timeout in " + listing);
    long timeout = millis(m.group(1));
    assertTrue(Math.abs(timeout - expectedMillis) < 10, address + ": timeout " + m.group(1) + " for "
        + expectedMillis + " ms: " + listing);
    assertTrue(millis(m.group(2)) <= timeout, address + " expires after its timeout: " + listing);
  }

  /** nft's {@code 1m2s340ms}, {@code 25s248ms} or {@code 41s} in milliseconds. */
  private static long millis(String text) {
    Matcher part = Pattern.compile("(\\d+)(ms|m|s|h|d)").matcher(text);
    long total = 0;
    int end = 0;
    while (part.find() && part.start() == end) {
      long value = Long.parseLong(part.group(1));
      total += switch (part.group(2)) {
        case "ms" -> value;
        case "s" -> value * 1000;
        case "m" -> value * 60_000;
        case "h" -> value * 3_600_000;
        default -> value * 86_400_000;
      };
      end = part.end();
    }
    assertEquals(text.length(), end, "not an nft duration: " + text);
    return total;
  }

  private <T> T onNamespaceThread(Callable<T> work) throws Exception {
    return inNamespace.submit(work).get(10, TimeUnit.SECONDS);
  }

  private String nft(String commands) throws Exception {
    Process nft = new ProcessBuilder("ip", "netns", "exec", namespace, "nft", "-f", "-").redirectErrorStream(true).start();
    nft.getOutputStream().write(commands.getBytes(StandardCharsets.UTF_8));
    nft.getOutputStream().close();
    String output = new String(nft.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(nft.waitFor(10, TimeUnit.SECONDS), "nft did not finish");
    assertEquals(0, nft.exitValue(), "nft " + commands + ": " + output);
    return output;
  }

  private static int count(String text, String what) {
    return text.split(Pattern.quote(what), -1).length - 1;
  }

  private static int exit(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    process.getInputStream().readAllBytes();
    assertTrue(process.waitFor(10, TimeUnit.SECONDS), String.join(" ", command));
    return process.exitValue();
  }

  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(10, TimeUnit.SECONDS), String.join(" ", command));
    return output;
  }
}
