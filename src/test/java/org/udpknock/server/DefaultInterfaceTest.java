package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultInterfaceTest {
  @TempDir
  Path root;

  @Test
  void aNameWithADirectoryInSysClassNetIsAKernelInterface() throws IOException {
    Path net = Files.createDirectories(root.resolve("class/net"));
    Files.createDirectory(net.resolve("eth0"));
    assertTrue(DefaultInterface.isKernelInterface("eth0", net));
    assertFalse(DefaultInterface.isKernelInterface("eth1", net));
  }

  @Test
  void aNameThatLeavesTheDirectoryIsNone() throws IOException {
    Path net = Files.createDirectories(root.resolve("class/net"));
    Files.createDirectories(root.resolve("class/other"));
    for (String name : List.of("", ".", "..", "../other", "../net/..")) {
      assertFalse(DefaultInterface.isKernelInterface(name, net), name);
    }
  }

  @Test
  void aFileIsNotAnInterface() throws IOException {
    Path net = Files.createDirectories(root.resolve("class/net"));
    Files.writeString(net.resolve("bonding_masters"), "");
    assertFalse(DefaultInterface.isKernelInterface("bonding_masters", net));
  }

  @Test
  void anyIsChosenWhereListedElseTheDefaultRoutes() throws IOException {
    Path route = root.resolve("route");
    Files.writeString(route, "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n"
        + "eth1\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n"
        + "eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\n");
    assertEquals(Optional.of("any"), DefaultInterface.choose(List.of("eth1", "any", "eth0"), route));
    assertEquals(Optional.of("eth0"), DefaultInterface.choose(List.of("eth1", "eth0"), route));
    assertEquals(Optional.of("eth1"), DefaultInterface.choose(List.of("eth1"), route));
  }
}
