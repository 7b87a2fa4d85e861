package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.udpknock.core.KnockSequence;
import org.udpknock.report.EventWriter;

/**
 * The server's grant bound, in process, with a source that delivers whole sequences and a fixed
 * clock: a grant beyond {@code maxGrants} evicts the oldest, which is logged and counted.
 */
class GrantEvictionTest {
  private static final KnockSequence SEQUENCE = KnockSequence.of(7001, 7003, 7002);
  private static final long T = 1_795_000_000_000_000_000L;
  /** T in the log, but for its last nanosecond digit. */
  private static final String TIME = "2026-11-18T11:06:40.00000000";

  /** Was: an evicted grant vanished without a line, and grants shared --max-sources with attempts. */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aGrantBeyondTheBoundEvictsTheOldestAndSaysSo(boolean json) throws Exception {
    String log = serve(json, 2, "10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.1", "10.0.0.4");
    List<String> evictions = log.lines().filter(line -> line.contains("grant-evicted")).toList();
    // 10.0.0.3 evicts 10.0.0.1; 10.0.0.1, knocking again, evicts 10.0.0.2, then the oldest;
    // 10.0.0.4 evicts 10.0.0.3. Each stamped with the time of the grant that made room.
    if (json) {
      assertEquals(List.of(jsonEviction(2, "10.0.0.1"), jsonEviction(3, "10.0.0.2"), jsonEviction(4, "10.0.0.3")),
          evictions, log);
      assertTrue(log.contains("\"grants_evicted\":3,\"kernel_drops\":0,"), log);
    } else {
      assertEquals(List.of(TIME + "2Z grant-evicted default 10.0.0.1", TIME + "3Z grant-evicted default 10.0.0.2",
          TIME + "4Z grant-evicted default 10.0.0.3"), evictions, log);
      assertTrue(log.contains(", 3 grants evicted, 0 kernel drops"), log);
    }
  }

  private static String jsonEviction(int nanos, String source) {
    return "{\"event\":\"grant-evicted\",\"time\":\"" + TIME + nanos + "Z\",\"door\":\"default\",\"source\":\"" + source + "\"}";
  }

  @Test
  void withinTheBoundNothingIsEvicted() throws Exception {
    String log = serve(false, 4, "10.0.0.1", "10.0.0.2", "10.0.0.3");
    assertTrue(!log.contains("grant-evicted"), log);
    assertTrue(log.contains(", 0 grants evicted, 0 kernel drops"), log);
  }

  /** Runs a server whose capture delivers one whole sequence per source, the i-th at T + i ns. */
  private static String serve(boolean json, int maxGrants, String... sources) throws Exception {
    ServerConfig config = ServerConfig.singleDoor("fake0", SEQUENCE, 5 * LiveHarness.SECOND, 1000,
        LiveHarness.freePort(), 30 * LiveHarness.SECOND, null, ServerConfig.DEFAULT_GREETING, true)
        .withMaxGrants(maxGrants);
    StringWriter log = new StringWriter();
    EventWriter writer = EventWriter.create(json, new PrintWriter(log, true));
    writer.setTimeDigits(9);
    KnockServer server = new KnockServer(config, ScriptedSource.ending(config.captureFilter(), ScriptedSource.sequences(SEQUENCE, T, sources)), writer, () -> T);
    server.run("RAW");
    writer.summary(server.totals(), true, T);
    writer.flush();
    return log.toString();
  }
}
