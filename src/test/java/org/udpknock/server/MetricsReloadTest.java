package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.udpknock.config.MetricsAddress;

/**
 * Issue 12, metrics: the metrics address is bound once, at start; a reload that changes it says
 * that only a restart applies it, as for the other settings made at start.
 */
class MetricsReloadTest {
  @Test
  void aChangedMetricsAddressIsNamedAsRestartOnly() {
    ServerSettings off = ServerSettings.defaults("lo");
    ServerSettings on = off.withMetrics(MetricsAddress.parse("9741"));
    assertEquals("metrics", DoorReload.restartOnly(off, on));
    assertEquals("metrics", DoorReload.restartOnly(on, on.withMetrics(MetricsAddress.parse("127.0.0.1:9742"))));
    assertEquals("metrics", DoorReload.restartOnly(on, off));
    assertNull(DoorReload.restartOnly(on, off.withMetrics(MetricsAddress.parse("localhost:9741"))));
  }
}
