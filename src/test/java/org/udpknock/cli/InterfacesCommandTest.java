package org.udpknock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code udpknock interfaces} lays out its columns to the widest cell: with a fixed width of 12,
 * {@code bluetooth-monitor} and {@code loopback,up,running} pushed their rows' later columns out
 * of line (issue 12).
 */
class InterfacesCommandTest {
  @Test
  void longNamesAndFlagsKeepEveryColumnInLine() {
    List<String> lines = InterfacesCommand.columns(List.of(
        List.of("eth0", "up,running", "192.0.2.2 fd00::2"),
        List.of("any", "up,running", "-   (default for server)"),
        List.of("lo", "loopback,up,running", "127.0.0.1 ::1"),
        List.of("bluetooth-monitor", "down", "-"),
        List.of("nflog", "down", "-")));
    assertEquals(List.of(
        "eth0               up,running           192.0.2.2 fd00::2",
        "any                up,running           -   (default for server)",
        "lo                 loopback,up,running  127.0.0.1 ::1",
        "bluetooth-monitor  down                 -",
        "nflog              down                 -"), lines);
  }

  @Test
  void theLastCellIsNotPaddedAndNoRowsGiveNoLines() {
    assertEquals(List.of("a    x  long-address", "bbb  y  -"), InterfacesCommand.columns(List.of(
        List.of("a", "x", "long-address"), List.of("bbb", "y", "-"))));
    assertEquals(List.of(), InterfacesCommand.columns(List.of()));
  }
}
