package org.udpknock.door;

import org.udpknock.auth.KnockVerifier;
import org.udpknock.auth.Verdict;
import org.udpknock.core.GrantTable;
import org.udpknock.core.KnockEngine;
import org.udpknock.core.KnockListener;
import org.udpknock.core.ResetReason;
import org.udpknock.report.DoorEvents;
import org.udpknock.report.EventWriter;

/**
 * One door at run time: its rules' engine (and verifier, in authenticated mode), its attempts
 * and its grants. The capture thread feeds it datagrams and decides its grants; what a grant
 * does is its action's business, elsewhere ({@link GrantHandler}).
 */
public final class Door {
  /** Volatile: a reload that keeps the door's rules may change its other settings. */
  private volatile DoorConfig config;
  private final DoorEvents events;
  private final GrantTable grants;
  private final KnockVerifier verifier;
  private final KnockEngine engine;
  private final DoorWiring wiring;

  private Door(DoorConfig config, DoorEvents events, DoorWiring wiring) {
    this.config = config;
    this.events = events;
    this.wiring = wiring;
    this.grants = new GrantTable(config.openForNanos(), wiring.maxGrants());
    DoorConfig.KnockRules rules = config.rules();
    this.verifier = rules.auth() == null ? null : rules.auth().newVerifier(rules.sequence(), wiring.notBeforeNanos());
    this.engine = new KnockEngine(rules.sequence(), rules.guard(), rules.seqTimeoutNanos(), wiring.maxSources(),
        new Listener());
  }

  /** A new door, with no attempt and no grant, writing through its view of {@code writer}. */
  public static Door open(DoorConfig config, EventWriter writer, DoorWiring wiring) {
    return new Door(config, writer.forDoor(config.name(), config.rules().sequence().length()), wiring);
  }

  /** This door, kept by a reload with other settings but the same rules and name. */
  public Door reconfigured(DoorConfig next) {
    if (!next.name().equals(config.name()) || !next.rules().equals(config.rules())) {
      throw new IllegalArgumentException("not the same door: " + next.name());
    }
    config = next;
    return this;
  }

  public String name() {
    return config.name();
  }

  public DoorConfig config() {
    return config;
  }

  public KnockEngine engine() {
    return engine;
  }

  /** The verifier of an authenticated door, or null in plain mode. */
  public KnockVerifier verifier() {
    return verifier;
  }

  public GrantTable grants() {
    return grants;
  }

  public DoorEvents events() {
    return events;
  }

  /**
   * One datagram to a port this door watches. An authenticated door judges a knock's payload
   * first: only accepted knocks reach the engine, so refused ones touch no engine state.
   */
  public void onDatagram(long timeNanos, long sourceHi, long sourceLo, int port, byte[] data, int payloadOffset,
      int payloadLength, boolean payloadComplete) {
    if (verifier != null && engine.sequence().contains(port)) {
      Verdict verdict = verifier.verify(timeNanos, port, data, payloadOffset, payloadLength, payloadComplete);
      if (verdict != Verdict.ACCEPTED) {
        if (wiring.logProgress().get()) { // A refused knock is knock progress.
          events.rejected(timeNanos, sourceHi, sourceLo, port, verdict);
        }
        return;
      }
    }
    engine.onDatagram(timeNanos, sourceHi, sourceLo, port);
  }

  /**
   * A grant another host of the fleet made, until {@code endNanos}: into this door's table (no
   * longer than this door's own grants last), handed on if the table takes it. Not logged as
   * {@code granted}: no knock was seen here. Called on the fleet's thread.
   */
  public GrantTable.SharedOutcome grantShared(long sourceHi, long sourceLo, long endNanos) {
    return grants.grantUntil(sourceHi, sourceLo, endNanos, wiring.nowNanos().getAsLong());
  }

  /**
   * From the packet's time, unless the clock is ahead of it: a grant never starts late. It is
   * handed on before its line is written: the kernel's element is then on its way meanwhile
   * (writing the line took 10-40 us of the path here).
   */
  private void grant(long timeNanos, long sourceHi, long sourceLo) {
    long start = Math.max(timeNanos, wiring.nowNanos().getAsLong());
    GrantTable.Removal madeRoom = grants.grant(sourceHi, sourceLo, start);
    wiring.grants().opened(this, sourceHi, sourceLo, saturatedAdd(start, config.openForNanos()));
    events.granted(timeNanos, sourceHi, sourceLo);
    if (madeRoom != null) {
      wiring.grants().closed(this, madeRoom);
    }
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  /** The engine's events, through the door's view; grants go to the table and on. */
  private final class Listener implements KnockListener {
    @Override
    public void knock(long timeNanos, long sourceHi, long sourceLo, int port, int stage) {
      if (wiring.logProgress().get()) {
        events.knock(timeNanos, sourceHi, sourceLo, port, stage);
      }
    }

    @Override
    public void granted(long timeNanos, long sourceHi, long sourceLo) {
      grant(timeNanos, sourceHi, sourceLo);
    }

    @Override
    public void reset(long timeNanos, long sourceHi, long sourceLo, ResetReason reason) {
      if (wiring.logProgress().get()) {
        events.reset(timeNanos, sourceHi, sourceLo, reason);
      }
    }

    @Override
    public void guardTripped(long timeNanos, long sourceHi, long sourceLo, int port) {
      if (wiring.logProgress().get()) { // A flood from spoofed sources on guard ports trips it once per source.
        events.guardTripped(timeNanos, sourceHi, sourceLo, port);
      }
    }

    /** Logged even under the server's --quiet, rate-limited: an admin must see who the guard keeps out. */
    @Override
    public void knockBlocked(long timeNanos, long sourceHi, long sourceLo, int port) {
      if (wiring.logBlocked()) {
        events.knockBlocked(timeNanos, sourceHi, sourceLo, port);
      }
    }

    @Override
    public void trackingCapped(long timeNanos, int capacity) {
      events.trackingCapped(timeNanos, capacity);
    }
  }
}
