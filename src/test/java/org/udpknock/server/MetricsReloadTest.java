package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.udpknock.auth.KnockKey;
import org.udpknock.config.MetricsAddress;
import org.udpknock.fleet.FleetSettings;

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

  /** Issue 13: the grant store is joined once, at start, as the metrics address is bound. */
  @Test
  void aChangedGrantStoreIsNamedAsRestartOnly() {
    ServerSettings alone = ServerSettings.defaults("lo");
    FleetSettings fleet = new FleetSettings(URI.create("redis://10.0.0.5:6379/0"), null, null,
        new KnockKey(new byte[32]), "a");
    ServerSettings member = alone.withFleet(fleet);
    assertEquals("grant_store", DoorReload.restartOnly(alone, member));
    assertEquals("grant_store", DoorReload.restartOnly(member, alone.withFleet(new FleetSettings(
        URI.create("redis://10.0.0.6:6379/0"), null, null, new KnockKey(new byte[32]), "a"))));
    assertNull(DoorReload.restartOnly(member, alone.withFleet(new FleetSettings(fleet.store(), null, null,
        new KnockKey(new byte[32]), "a"))), "the same settings read again");
  }
}
