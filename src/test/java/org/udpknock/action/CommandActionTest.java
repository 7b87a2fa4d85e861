package org.udpknock.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.udpknock.core.Addresses;
import org.udpknock.core.GrantTable;
import org.udpknock.door.Commands;
import org.udpknock.report.EventWriter;

/** A door's commands around its main action, run as real processes. */
class CommandActionTest {
  private static final long SECOND = 1_000_000_000L;
  private static final long V4_LO = Addresses.ipv4Lo(0x0A010203); // 10.1.2.3
  private static final long V6_HI = 0x2001_0DB8_0000_0000L; // 2001:db8::1
  private static final long LINK_LOCAL_HI = Addresses.scopedHi(Addresses.LINK_LOCAL_HI, 3); // fe80::1%3
  private final AtomicLong clock = new AtomicLong();
  private final RecordingCommands events = new RecordingCommands();
  private CommandRunner runner;
  @TempDir Path dir;
  private Path script;
  private Path log;

  @BeforeEach
  void start() throws IOException {
    runner = new CommandRunner(4, 16, clock::get, events);
    log = dir.resolve("log");
    script = dir.resolve("record");
    // As an admin would write it: one line per run, its arguments separated by '|'.
    Files.writeString(script, "#!/bin/sh\nlog=\"$1\"; shift\nIFS='|'; printf '%s\\n' \"$*\" >> \"$log\"\necho recorded\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
  }

  @AfterEach
  void stop() throws InterruptedException {
    runner.close();
    assertTrue(events.isEmpty(), "an event nobody checked: " + events.poll(0));
  }

  private CommandAction door(String name, List<String> onOpen, List<String> onClose, DoorAction main) {
    return door(name, onOpen, onClose, main, false);
  }

  private CommandAction door(String name, List<String> onOpen, List<String> onClose, DoorAction main,
      boolean everywhere) {
    return new CommandAction(name, 22, new Commands(onOpen, onClose, 10 * SECOND), main, runner, events, everywhere);
  }

  private List<String> recording(String... arguments) {
    List<String> command = new ArrayList<>(List.of(script.toString(), log.toString()));
    command.addAll(List.of(arguments));
    return command;
  }

  private List<String> logged() throws IOException {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  @Test
  void placeholdersAreReplacedForIpv4Ipv6AndLinkLocal() throws Exception {
    CommandAction door = door("ssh", recording("%IP%", "door=%DOOR%", "%PORT%", "%IP%%DOOR%", "%HOME%"),
        List.of(), new NoAction());
    door.opened(0, V4_LO, 0);
    assertEquals("finished on-open 0 \"recorded\"", events.take());
    door.opened(V6_HI, 1, 0);
    assertEquals("finished on-open 0 \"recorded\"", events.take());
    door.opened(LINK_LOCAL_HI, 1, 0);
    assertEquals("finished on-open 0 \"recorded\"", events.take());
    assertEquals(List.of("10.1.2.3|door=ssh|22|10.1.2.3ssh|%HOME%", "2001:db8::1|door=ssh|22|2001:db8::1ssh|%HOME%",
        "fe80::1|door=ssh|22|fe80::1ssh|%HOME%"), logged());
  }

  /**
   * A knock seen here: the main action's kernel part on the capture thread (openingInKernel),
   * with no command; then the rest of the main action and on_open on the action thread.
   */
  @Test
  void theKernelsPartGoesToTheMainActionAndTheCommandsWaitForTheRest() throws Exception {
    List<String> calls = new ArrayList<>();
    DoorAction main = new DoorAction() {
      @Override
      public void start() {}

      @Override
      public void opened(long sourceHi, long sourceLo, long expiresAtNanos) {
        calls.add("all");
      }

      @Override
      public void closed(long sourceHi, long sourceLo) {}

      @Override
      public void close() {}

      @Override
      public boolean openingInKernel(long sourceHi, long sourceLo, long expiresAtNanos) {
        calls.add("kernel");
        return false;
      }

      @Override
      public void openedAfterKernel(long sourceHi, long sourceLo, long expiresAtNanos) {
        calls.add("rest");
      }
    };
    CommandAction door = door("ssh", recording("%IP%"), List.of(), main);
    assertTrue(door.openingInKernel(0, V4_LO, 0), "the commands are left for the action thread");
    assertEquals(List.of("kernel"), calls);
    assertEquals(List.of(), logged(), "no command on the capture thread");
    door.openedAfterKernel(0, V4_LO, 0);
    assertEquals("finished on-open 0 \"recorded\"", events.take());
    assertEquals(List.of("kernel", "rest"), calls);
    assertEquals(List.of("10.1.2.3"), logged());
  }

  /** The admin's own shell sees the address only: it was checked to be hex digits, dots and colons. */
  @Test
  void anAddressInsideTheAdminsShellCommandIsOnlyAnAddress() throws Exception {
    Path out = dir.resolve("out");
    List<String> shell = List.of("/bin/sh", "-c", "echo %IP% > " + out);
    door("ssh", shell, List.of(), new NoAction()).opened(V6_HI, 1, 0);
    assertEquals("finished on-open 0 \"\"", events.take());
    assertEquals("2001:db8::1\n", Files.readString(out));

    Path pwned = dir.resolve("pwned");
    CommandTemplate template = new CommandTemplate(shell);
    for (String forged : List.of("1.2.3.4; touch " + pwned, "$(touch " + pwned + ")", "::1`id`", "::1 x", "",
        "fe80::1%eth0", "::1\n")) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> template.render(forged, "ssh", 22));
      assertTrue(refused.getMessage().startsWith("not an address: "), refused.getMessage());
    }
    assertEquals(List.of("/bin/sh", "-c", "echo 10.1.2.3 > " + out), template.render("10.1.2.3", "ssh", 22));
    assertThrows(IllegalArgumentException.class, () -> template.render("::1", "a;b", 22));
    assertFalse(Files.exists(pwned));
  }

  @Test
  void aBadDoorNameIsRefusedWhenTheDoorIsMade() {
    assertThrows(IllegalArgumentException.class,
        () -> door("x;reboot", List.of("/bin/true"), List.of(), new NoAction()));
  }

  /** A fleet's grant made on another host opens the main action here, but runs no command (commands = "local"). */
  @Test
  void anotherHostsGrantRunsNoCommandHereByDefault() throws Exception {
    List<String> mainCalls = new ArrayList<>();
    CommandAction door = door("ssh", recording("open", "%IP%"), recording("close", "%IP%"), recordingMain(mainCalls));
    door.openedElsewhere(0, V4_LO, 7);
    door.closed(0, V4_LO);
    assertEquals(List.of("elsewhere 7", "closed"), mainCalls);
    door.opened(0, V4_LO, 8); // a knock seen here runs them as ever
    assertEquals("finished on-open 0 \"recorded\"", events.take());
    assertEquals(List.of("open|10.1.2.3"), logged());
  }

  /** With commands = "all", another host's grant runs on_open here, and its end on_close. */
  @Test
  void anotherHostsGrantRunsTheCommandsWhenTheDoorSaysAll() throws Exception {
    CommandAction door = door("ssh", recording("open", "%IP%"), recording("close", "%IP%"), new NoAction(), true);
    door.openedElsewhere(0, V4_LO, 0);
    assertEquals("finished on-open 0 \"recorded\"", events.take());
    door.closed(0, V4_LO);
    assertEquals("finished on-close 0 \"recorded\"", events.take());
    assertEquals(List.of("open|10.1.2.3", "close|10.1.2.3"), logged());
  }

  private static DoorAction recordingMain(List<String> calls) {
    return new DoorAction() {
      @Override public void start() {}

      @Override public void close() {}

      @Override public void opened(long hi, long lo, long expiresAtNanos) {
        calls.add("opened " + expiresAtNanos);
      }

      @Override public void openedElsewhere(long hi, long lo, long expiresAtNanos) {
        calls.add("elsewhere " + expiresAtNanos);
      }

      @Override public void closed(long hi, long lo) {
        calls.add("closed");
      }
    };
  }

  /** Renewals run nothing: one on_open, then one on_close when the grant ends, in that order. */
  @Test
  void onOpenOncePerGrantAndOnCloseOnceWhenItEnds() throws Exception {
    CommandAction door = door("ssh", recording("open", "%IP%"), recording("close", "%IP%"), new NoAction());
    door.opened(0, V4_LO, 0);
    door.opened(0, V4_LO, 0); // renewals
    door.opened(0, V4_LO, 0);
    door.closed(0, V4_LO);
    door.closed(0, V4_LO); // already closed
    assertEquals("finished on-open 0 \"recorded\"", events.take());
    assertEquals("finished on-close 0 \"recorded\"", events.take());
    assertEquals(null, events.poll(200));
    assertEquals(List.of("open|10.1.2.3", "close|10.1.2.3"), logged());
  }

  /** The caller's timer, on a clock the test moves, ends the grant; on_close runs then, not before. */
  @Test
  void onCloseAtExpiryDrivenByTheGrantTable() throws Exception {
    GrantTable grants = new GrantTable(30 * SECOND, 16);
    CommandAction door = door("ssh", recording("open", "%IP%"), recording("close", "%IP%"), new NoAction());
    long now = -7 * SECOND;
    grants.grant(0, V4_LO, now);
    door.opened(0, V4_LO, now + 30 * SECOND);
    assertEquals("finished on-open 0 \"recorded\"", events.take());
    expire(grants, door, now + 30 * SECOND - 1);
    assertEquals(null, events.poll(100));
    expire(grants, door, now + 30 * SECOND);
    assertEquals("finished on-close 0 \"recorded\"", events.take());
    assertEquals(List.of("open|10.1.2.3", "close|10.1.2.3"), logged());
  }

  private static void expire(GrantTable grants, DoorAction door, long nowNanos) {
    for (GrantTable.Removal removal : grants.expire(nowNanos, 100)) {
      door.closed(removal.sourceHi(), removal.sourceLo());
    }
  }

  @Test
  void stoppingRunsOnCloseForSourcesStillOpen() throws Exception {
    CommandAction door = door("ssh", List.of(), recording("close", "%IP%"), new NoAction());
    door.opened(0, V4_LO, 0);
    door.opened(V6_HI, 1, 0);
    door.close();
    assertEquals("finished on-close 0 \"recorded\"", events.take());
    assertEquals("finished on-close 0 \"recorded\"", events.take());
    assertEquals(List.of("close|10.1.2.3", "close|2001:db8::1"), logged().stream().sorted().toList());
  }

  @Test
  void theMainActionIsCalledForEveryHook() throws Exception {
    List<String> calls = new ArrayList<>();
    DoorAction main = new DoorAction() {
      @Override public void start() { calls.add("start"); }
      @Override public void opened(long hi, long lo, long expiresAtNanos) { calls.add("opened " + expiresAtNanos); }
      @Override public void closed(long hi, long lo) { calls.add("closed"); }
      @Override public void close() { calls.add("close"); }
    };
    CommandAction door = door("ssh", List.of(), List.of(), main);
    door.start();
    door.opened(0, V4_LO, 5);
    door.opened(0, V4_LO, 6);
    door.closed(0, V4_LO);
    door.close();
    assertEquals(List.of("start", "opened 5", "opened 6", "closed", "close"), calls);
  }

  @Test
  void eventsInTextAndJson() throws Exception {
    for (boolean json : new boolean[] {false, true}) {
      StringWriter text = new StringWriter();
      EventWriter writer = EventWriter.create(json, new PrintWriter(text));
      CommandEventLog log = new CommandEventLog(writer, json, () -> 0L);
      Command command = new Command("ssh", Command.Hook.ON_OPEN, 0, V4_LO, List.of("/bin/true"), SECOND);
      log.finished(command, 3, "say \\\"hi\\\"", 2_500_000);
      log.dropped(command, "queue-full");
      writer.flush();
      String[] lines = text.toString().split("\n");
      if (json) {
        assertTrue(lines[0].matches("\\{\"event\":\"command\",\"time\":\"[^\"]+\",\"door\":\"ssh\",\"source\":\"10.1.2.3\","
            + "\"hook\":\"on-open\",\"exit\":3,\"ms\":2,\"output\":\"say \\\\\\\\\\\\\"hi\\\\\\\\\\\\\"\"}"), lines[0]);
        assertTrue(lines[1].endsWith("\"event\":\"command-dropped\",\"time\":\"" + lines[1].split("\"")[7]
            + "\",\"door\":\"ssh\",\"source\":\"10.1.2.3\",\"hook\":\"on-open\",\"reason\":\"queue-full\"}"), lines[1]);
      } else {
        assertTrue(lines[0].endsWith(" command ssh 10.1.2.3 hook on-open exit 3 ms 2 output \"say \\\"hi\\\"\""), lines[0]);
        assertTrue(lines[1].endsWith(" command-dropped ssh 10.1.2.3 hook on-open reason queue-full"), lines[1]);
      }
    }
  }
}
