package org.udpknock.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.udpknock.action.ActionFactory;
import org.udpknock.action.ActionQueue;
import org.udpknock.action.CommandEventLog;
import org.udpknock.action.CommandRunner;
import org.udpknock.action.DoorAction;
import org.udpknock.config.ConfigException;
import org.udpknock.core.GrantTable;
import org.udpknock.door.ActionKind;
import org.udpknock.door.Door;
import org.udpknock.door.DoorConfig;
import org.udpknock.door.DoorSet;
import org.udpknock.door.DoorWiring;
import org.udpknock.door.GrantHandler;
import org.udpknock.fleet.GrantStore;
import org.udpknock.pipeline.DestinationFilter;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.pipeline.Ingress;
import org.udpknock.report.EventOutput;
import org.udpknock.report.EventWriter;
import org.udpknock.report.Totals;

/**
 * The live server: frames from a {@link PacketSource} go through the pipeline to the doors on
 * the capture thread, which decides grants; the doors' actions act on them on the action thread
 * ({@link ActionQueue}); a timer thread expires grants, refreshes local addresses and reports
 * kernel drops.
 */
public final class KnockServer {
  /** How often grants are checked for expiry: the listener closes at most this late. */
  private static final long TICK_MILLIS = 20;
  private static final long STATS_EVERY_TICKS = 5_000 / TICK_MILLIS;
  private static final long ADDRESSES_EVERY_TICKS = 10_000 / TICK_MILLIS;
  /**
   * Grants expired per call to the table, and calls per tick: the table's lock is held for one
   * batch at a time (tens of microseconds), so a grant from the capture thread never waits
   * behind a whole tick's expiry, and a tick expires up to 4096 grants (200,000 a second), more
   * than the capture can grant.
   */
  private static final int EXPIRY_BATCH = 64;
  private static final int EXPIRY_BATCHES_PER_TICK = 64;

  /**
   * Where a reload reads the settings and doors from: the config file, by {@code server
   * --config}. Its failures say what is wrong in one sentence.
   */
  public interface ConfigReader {
    /** The file, as the log names it. */
    String name();

    ServerConfig read() throws ConfigException;
  }

  private final ServerConfig config;
  /** The settings and doors now: the start's, then each reload's doors. */
  private volatile ServerConfig running;
  /** Null without --config: SIGHUP then has nothing to read. */
  private volatile ConfigReader reloadFrom;
  /** Reloads run here, one at a time, off the capture thread: a signal handler only asks. */
  private final java.util.concurrent.ExecutorService reloader = Executors.newSingleThreadExecutor(runnable -> {
    Thread thread = new Thread(runnable, "udpknock-reload");
    thread.setDaemon(true);
    return thread;
  });
  private final PacketSource source;
  private final EventWriter writer;
  private final ServerEvents events;
  private final Clock clock;
  private final LocalAddresses localAddresses;
  private final FramePipeline pipeline;
  private final DoorGuards guards;
  private final ActionQueue actionQueue;
  /** Runs every door's on_open and on_close; null when no door has any. Closed after the doors' actions. */
  private final CommandRunner commandRunner;
  private final CommandEventLog commandEvents;
  /** Each door's action; replaced whole on reload, read by the capture thread per grant. */
  private volatile Map<Door, DoorAction> actions;
  /** Wall time at construction: authenticated doors' start bound. */
  private final long startNanos;
  private final CountDownLatch finished = new CountDownLatch(1);
  /** Shares shared doors' grants with the fleet; null when this host is in none. */
  private final FleetSharing fleet;
  private final AtomicLong packetErrors = new AtomicLong();
  private final AtomicBoolean logKnockProgress = new AtomicBoolean(true);
  private volatile LogWatch logWatch;
  private long ticks;
  private long reportedDrops;

  public KnockServer(ServerConfig config, PacketSource source, EventWriter writer, Clock clock) {
    this(config, source, writer, clock, DoorGuards.NONE);
  }

  /**
   * With {@code guards} giving each guarded door's guard in the kernel's firewall, changed at a reload.
   *
   * @throws IllegalArgumentException when a door's action cannot be made: its one sentence
   */
  public KnockServer(ServerConfig config, PacketSource source, EventWriter writer, Clock clock,
      DoorGuards guards) {
    this(config, source, writer, clock, guards, null);
  }

  /**
   * With {@code store} (null for none) sharing the grants of shared doors with a fleet's other
   * hosts; the server starts and closes it.
   *
   * @throws IllegalArgumentException when a door's action cannot be made: its one sentence
   */
  public KnockServer(ServerConfig config, PacketSource source, EventWriter writer, Clock clock,
      DoorGuards guards, GrantStore store) {
    this.config = config;
    this.running = config;
    this.guards = guards;
    this.source = source;
    this.writer = writer;
    this.clock = clock;
    this.events = new ServerEvents(writer, clock);
    this.localAddresses = new LocalAddresses(); // Also names interfaces in link-local addresses.
    writer.setScopeNames(localAddresses::interfaceName);
    DestinationFilter destinations = config.settings().anyDestination() ? DestinationFilter.ANY : localAddresses;
    this.startNanos = clock.nowNanos();
    this.pipeline = FramePipeline.of(config.doors(), writer, wiring(), destinations);
    this.actionQueue = new ActionQueue(ActionQueue.DEFAULT_CAPACITY, new ActionFailures());
    this.commandEvents = new CommandEventLog(writer, config.settings().json(), clock);
    this.commandRunner = anyCommands(config.doors()) ? startCommandRunner(commandEvents) : null;
    try {
      this.actions = makeActions(pipeline.doors());
    } catch (IllegalArgumentException e) {
      closeCommandRunner();
      throw e;
    }
    this.fleet = store == null ? null : new FleetSharing(store, config.settings().fleet().storeForLog(),
        pipeline::doors, door -> actions.get(door), actionQueue, events, writer, clock, this::logRemoval);
  }

  /**
   * Authenticated doors refuse knocks stamped before this server's start + max-ahead: their nonce
   * caches start empty, so they cannot tell them from copies of knocks an earlier run (stopped
   * or crashed) accepted. Wall time, the clock packet timestamps come from.
   */
  private DoorWiring wiring() {
    return wiring(config.doors().size());
  }

  /** For {@code doors} doors: each gets its share of the bounds on sources and grants. */
  private DoorWiring wiring(int doors) {
    ServerSettings settings = config.settings();
    return new DoorWiring(DoorWiring.share(settings.maxSources(), doors), DoorWiring.share(settings.maxGrants(), doors),
        startNanos, logKnockProgress,
        true, clock::nowNanos, new Handoff());
  }

  private static boolean anyCommands(List<DoorConfig> doors) {
    return doors.stream().anyMatch(door -> !door.commands().isEmpty());
  }

  private static CommandRunner startCommandRunner(CommandEventLog events) {
    try {
      return CommandRunner.startDefault(events);
    } catch (DoorAction.ActionException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private Map<Door, DoorAction> makeActions(List<Door> doors) {
    Map<Door, DoorAction> made = new IdentityHashMap<>();
    for (Door door : doors) {
      ServerEvents doorEvents = events.forDoor(door.name());
      AccessControl guard = guardOf(door);
      try {
        made.put(door, ActionFactory.create(new ActionFactory.Context(door, doorEvents, clock,
            config.settings().maxGreetingsInFlight(), guard, writer, commandRunner, commandEvents)));
      } catch (DoorAction.ActionException | IllegalArgumentException e) {
        made.values().forEach(DoorAction::close);
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }
    return made;
  }

  private AccessControl guardOf(Door door) {
    return door.config().action().listens() || door.config().action() == ActionKind.NFTABLES
        ? guards.forDoor(door.config()) : AccessControl.NONE;
  }

  /** Fails early when the service port is taken. */
  public static void checkServicePort(InetAddress bindAddress, int port) throws IOException {
    ServiceListener.checkAvailable(bindAddress, port);
  }

  /**
   * Captures until {@link #stop} (returns normally) or until the capture fails (throws).
   * Runs the capture on the calling thread, after a warm-up of the doors' grant path.
   */
  public void run(String linkTypeName) throws CaptureException {
    run(linkTypeName, Warmup.start(config.doors()));
  }

  /** As {@link #run(String)}, with a warm-up started earlier (waited for before capturing). */
  public void run(String linkTypeName, Warmup warmup) throws CaptureException {
    warmup.await();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "udpknock-timer");
      thread.setDaemon(true);
      return thread;
    });
    timer.scheduleWithFixedDelay(this::tickSafely, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    try {
      startActions();
      startSharing();
      WakeupSlice.shortenForCallingThread();
      CompilerThreads.compileWhenIdle(); // The warm-ups are done: what is left to compile can wait.
      announce(linkTypeName); // Once the actions are ready: a knock right after this line is served at once.
      source.run(new CountingSink());
    } catch (CaptureException e) {
      events.captureFailed(e.getMessage());
      throw e;
    } finally {
      reloader.shutdownNow();
      awaitQuietly(reloader);
      timer.shutdownNow();
      awaitQuietly(timer);
      stopSharing();
      actionQueue.close();
      actions.values().forEach(DoorAction::close); // on_close of every open grant is queued here,
      closeCommandRunner(); // and run (with a grace period) before the runner stops.
      reportDrops();
      writer.finishBlocked(clock.nowNanos());
      flushLog();
      finished.countDown();
    }
  }

  /**
   * One {@code listening} line, as before doors came (its sequence and port) for the command
   * line's one greet door; for doors from a config file, the capture's line and one
   * {@code door-ready} line each, with its sequence, action and port; a sweep warning for each plain door
   * whose sequence a sweep completes (a sweep carries no valid tag: it cannot knock an
   * authenticated door).
   */
  private void announce(String linkTypeName) {
    List<DoorConfig> doors = config.doors();
    if (doors.size() == 1 && isCommandLineDoor(doors.get(0))) {
      events.started(source.interfaceName(), linkTypeName, source.filter(),
          doors.get(0).rules().sequence().toString(), doors.get(0).port());
    } else {
      events.started(source.interfaceName(), linkTypeName, source.filter());
      doors.forEach(door -> events.forDoor(door.name()).doorReady(door));
    }
    for (DoorConfig door : doors) {
      if (door.rules().auth() == null) { // A sweep carries no valid tag: it cannot knock in authenticated mode.
        SweepWarning.of(door.rules().sequence()).ifPresent(events.forDoor(door.name())::warning);
      } else { // So that an admin understands a refused first knock.
        events.forDoor(door.name()).refusingUntil(door.rules().auth().firstStampAfter(startNanos));
      }
    }
  }

  private static boolean isCommandLineDoor(DoorConfig door) {
    return door.name().equals(DoorConfig.DEFAULT_NAME) && door.action() == org.udpknock.door.ActionKind.GREET;
  }

  /** Starts each door's action; one that cannot start is logged, and the others go on. */
  private void startActions() {
    actionQueue.start();
    warmActionThread();
    actions.keySet().forEach(door -> guardOf(door).awaitWarm());
    for (Map.Entry<Door, DoorAction> entry : actions.entrySet()) {
      try {
        entry.getValue().start();
      } catch (DoorAction.ActionException e) {
        events.forDoor(entry.getKey().name()).warning(e.getMessage());
      }
    }
  }

  /**
   * One hand-off through the action thread before the first grant: cold, the first took 5-50 ms
   * (the thread's first wake-up and the classes of its path, under load); then tens of microseconds.
   */
  private void warmActionThread() {
    try {
      actionQueue.awaitQueued(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** After the actions: grants the store delivers at once (the live ones) find them ready. */
  private void startSharing() {
    if (fleet != null) {
      fleet.start(config.settings().fleet().hostName());
    }
  }

  private void stopSharing() {
    if (fleet != null) {
      fleet.close();
    }
  }

  /** The fleet's counts, with the grants applied from other hosts; null when this host is in no fleet. From any thread. */
  public Totals.FleetTotals fleetTotals() {
    if (fleet == null) {
      return null;
    }
    return new Totals.FleetTotals(fleet.counts(), fleet.applied());
  }

  /** Whether the grant store is reachable now; false for a host in no fleet. */
  public boolean fleetConnected() {
    return fleet != null && fleet.counts().connected();
  }

  private void closeCommandRunner() {
    if (commandRunner != null) {
      commandRunner.close();
    }
  }

  /** Stops the capture; {@link #run} then returns. Safe from any thread, e.g. a signal handler. */
  public void stop() {
    source.stop();
  }

  /** Waits until {@link #run} has returned. */
  public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
    return finished.await(timeout, unit);
  }

  /**
   * What metrics read, at scrape time and on their own thread: the pipeline's counts and its
   * doors now (a reload's set, once swapped in), each read without a lock.
   */
  public FramePipeline pipeline() {
    return pipeline;
  }

  /** The kernel's counters of the capture; from any thread (not the capture's per-packet path). */
  public CaptureStats captureStats() {
    return source.stats();
  }

  /** {@code door}'s action now, or null for a door a reload has just removed; from any thread. */
  public DoorAction action(Door door) {
    return actions.get(door);
  }

  /** Every door's on_open and on_close outcomes, counted; from any thread. */
  public CommandEventLog commandEvents() {
    return commandEvents;
  }

  public Totals totals() {
    LogWatch watch = logWatch;
    return Totals.ofCapture(pipeline, source.stats().dropped(), packetErrors.get(),
        watch == null ? 0 : watch.lostLines(), fleetTotals());
  }

  /**
   * Watches {@code output}, the log's, after each flush: when it fails, says so once on {@code err}
   * and counts the lines lost, and the server goes on granting.
   */
  public void watchLog(EventOutput output, PrintWriter err) {
    logWatch = new LogWatch(output, err, events);
  }

  /** At exit, after the summary: a log still failing is told on stderr with the count lost. */
  public void logAtExit() {
    LogWatch watch = logWatch;
    if (watch != null) {
      watch.atExit();
    }
  }

  /** Reloads read {@code reader} (server --config); without one, SIGHUP only says there is nothing to reload. */
  public void reloadFrom(ConfigReader reader) {
    reloadFrom = reader;
  }

  /**
   * SIGHUP: asks the reload thread to read the file again ({@link #reload}); returns at once.
   * Safe from any thread, e.g. a signal handler.
   */
  public void reloadAsked() {
    try {
      reloader.execute(this::reloadSafely);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Stopping: nothing to reload into.
    }
  }

  private void reloadSafely() {
    try {
      reload();
    } catch (RuntimeException e) {
      events.reloadFailed(reloadFrom == null ? "-" : reloadFrom.name(), e.toString());
    }
    writer.flush();
  }

  /**
   * Reads the file again and applies its doors ({@link DoorReload}); a file that fails to load,
   * or doors that cannot be applied, leave everything as it was, in one sentence. Settings only a
   * restart applies are named, and the doors applied anyway.
   */
  /** The reload thread waits (never the capture thread) until the doors' actions are in place. */
  private void awaitActions() {
    try {
      if (!actionQueue.awaitQueued(5_000)) {
        events.warning("the doors' actions took more than 5 s to take the reload; they go on");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void reload() {
    ConfigReader reader = reloadFrom;
    if (reader == null) {
      events.nothingToReload();
      return;
    }
    ServerConfig next;
    try {
      next = reader.read();
    } catch (ConfigException | RuntimeException e) {
      events.reloadFailed(reader.name(), e.getMessage());
      return;
    }
    String restartOnly = DoorReload.restartOnly(running.settings(), next.settings());
    if (restartOnly != null) {
      events.reloadNeedsRestart(reader.name(), restartOnly);
    }
    try {
      DoorReload.Outcome outcome = applyDoors(next.doors());
      awaitActions();
      events.reloaded(reader.name(), next.doors().size(), outcome.kept(), outcome.added(), outcome.removed());
    } catch (IllegalArgumentException e) {
      events.reloadFailed(reader.name(), e.getMessage());
    }
  }

  /**
   * Builds the next doors and their actions, starts the new actions, then swaps both in: the
   * capture's next frame goes to the new set. A kept door whose action settings changed gets a
   * new action, handed its live grants; a removed door's grants end as an expiry would.
   */
  private synchronized DoorReload.Outcome applyDoors(List<DoorConfig> configs) {
    DoorSet now = pipeline.doorSet();
    DoorReload.refuse(configs, commandRunner != null);
    Map<Door, DoorConfig> before = new IdentityHashMap<>();
    now.doors().forEach(door -> before.put(door, door.config()));
    DoorSet next = now.successor(configs, writer, wiring(configs.size()));
    List<Door> fresh = next.doors().stream().filter(door -> !door.config().equals(before.get(door))).toList();
    Map<Door, DoorAction> made = startAll(fresh, before, configs);
    Map<Door, DoorAction> previous = actions;
    Map<Door, DoorAction> merged = new IdentityHashMap<>(made);
    next.doors().forEach(door -> merged.putIfAbsent(door, previous.get(door)));
    actions = merged;
    pipeline.replaceDoors(next);
    running = running.withDoors(configs);
    refilter(configs);
    List<Door> removed = now.removedBy(next);
    handOver(fresh, before, previous);
    removed.forEach(door -> endGrants(door, previous.get(door)));
    dropRemovedGuards(configs);
    int kept = (int) next.doors().stream().filter(before::containsKey).count();
    announceAdded(next, before);
    return new DoorReload.Outcome(kept, next.doors().size() - kept, removed.size());
  }

  /** The capture's filter for the new doors; if it cannot change, the old one stays and the log says so. */
  private void refilter(List<DoorConfig> configs) {
    try {
      source.refilter(linkType -> ServerConfig.captureFilter(configs, linkType));
    } catch (CaptureException e) {
      events.warning(e.getMessage() + "; the capture goes on with its old filter, which may miss new doors' ports");
    }
  }

  /**
   * Guards {@code configs} in the kernel (removed doors' sets stay until the swap), then makes and
   * starts the actions of {@code doors}; on a failure, closes them, puts kept doors' settings and
   * guards back, and throws.
   */
  private Map<Door, DoorAction> startAll(List<Door> doors, Map<Door, DoorConfig> before, List<DoorConfig> configs) {
    Map<Door, DoorAction> made = new IdentityHashMap<>();
    try {
      guards.guard(configs, false);
      made.putAll(makeActions(doors));
      for (Map.Entry<Door, DoorAction> entry : made.entrySet()) {
        entry.getValue().start();
      }
      return made;
    } catch (DoorAction.ActionException | IllegalArgumentException e) {
      made.values().forEach(DoorAction::close);
      before.forEach(Door::reconfigured); // The capture still feeds these doors: their settings as they were.
      guardSafely(running.doors(), "the table may still guard the reload's doors");
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** The doors now running are swapped in: removed doors' sets go, and with them their grants in the kernel. */
  private void dropRemovedGuards(List<DoorConfig> configs) {
    guardSafely(configs, "removed doors' sets stay until their elements time out");
  }

  private void guardSafely(List<DoorConfig> configs, String otherwise) {
    try {
      guards.guard(configs, true);
    } catch (IllegalArgumentException e) {
      events.warning(e.getMessage() + "; " + otherwise);
    }
  }

  /** A kept door's old action closes after what was queued for it; then its new action takes over the live grants. */
  private void handOver(List<Door> fresh, Map<Door, DoorConfig> before, Map<Door, DoorAction> previous) {
    for (Door door : fresh) {
      DoorAction old = previous.get(door);
      if (!before.containsKey(door) || old == null) {
        continue;
      }
      DoorAction now = actions.get(door);
      try {
        actionQueue.putCloseAction(old); // First: it may hold the port the new one listens on.
        for (GrantTable.Live grant : door.grants().live()) {
          actionQueue.putOpened(now, grant.sourceHi(), grant.sourceLo(), grant.endNanos());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** A removed door: each grant ends now, logged and closed as an expiry is, then its action closes. */
  private void endGrants(Door door, DoorAction action) {
    for (GrantTable.Removal removal : door.grants().endAll(clock.nowNanos())) {
      logRemoval(door, removal);
      if (action != null) {
        putClosed(action, removal);
      }
    }
    if (action != null) {
      try {
        actionQueue.putCloseAction(action);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void announceAdded(DoorSet next, Map<Door, DoorConfig> before) {
    for (Door door : next.doors()) {
      if (!before.containsKey(door)) {
        events.forDoor(door.name()).doorReady(door.config());
      }
    }
  }

  private void flushLog() {
    writer.flush();
    LogWatch watch = logWatch;
    if (watch != null) {
      watch.afterFlush();
    }
  }

  /** One bad packet never stops the capture: its failure is counted and logged, and the next one goes on. */
  private final class CountingSink implements FrameSink {
    @Override
    public void onFrame(long timeNanos, int linkType, byte[] data, int offset, int length) {
      onFrame(timeNanos, linkType, Ingress.UNKNOWN, data, offset, length);
    }

    @Override
    public void onFrame(long timeNanos, int linkType, Ingress ingress, byte[] data, int offset, int length) {
      try {
        pipeline.onFrame(timeNanos, linkType, ingress, data, offset, length);
      } catch (RuntimeException e) {
        frameFailed(e);
      }
    }

    @Override
    public void frameFailed(RuntimeException failure) {
      packetErrors.incrementAndGet();
      events.packetFailed(failure.toString());
    }
  }

  /** Whether knock, reset and rejected events are logged; grants always are. */
  public void setLogKnockProgress(boolean log) {
    logKnockProgress.set(log);
  }

  public long packetErrors() {
    return packetErrors.get();
  }

  private void tickSafely() {
    try {
      tick();
    } catch (RuntimeException e) {
      events.timerFailed(e.toString());
    }
  }

  private void tick() {
    writer.summarizeBlocked(clock.nowNanos());
    flushLog(); // Log lines wait at most one tick, and a flood costs no system call per line.
    for (Door door : pipeline.doors()) {
      expireGrants(door, clock.nowNanos());
    }
    ticks++;
    if (ticks % STATS_EVERY_TICKS == 0) {
      reportDrops();
    }
    if (ticks % ADDRESSES_EVERY_TICKS == 0) {
      localAddresses.refresh();
    }
  }

  /** In batches, each logged and handed to the door's action after the table's lock is released. */
  private void expireGrants(Door door, long nowNanos) {
    DoorAction action = actions.get(door); // Null for a door a reload has just removed: it ends its grants itself.
    for (int batch = 0; batch < EXPIRY_BATCHES_PER_TICK; batch++) {
      List<GrantTable.Removal> expired = door.grants().expire(nowNanos, EXPIRY_BATCH);
      for (GrantTable.Removal removal : expired) {
        logRemoval(door, removal);
        if (action != null) {
          putClosed(action, removal);
        }
      }
      if (expired.size() < EXPIRY_BATCH) {
        return;
      }
    }
  }

  /** The timer may wait for room: the capture never does. */
  private void putClosed(DoorAction action, GrantTable.Removal removal) {
    try {
      actionQueue.putClosed(action, removal.sourceHi(), removal.sourceLo());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void logRemoval(Door door, GrantTable.Removal removal) {
    ServerEvents doorEvents = events.forDoor(door.name());
    String source = writer.address(removal.sourceHi(), removal.sourceLo());
    if (removal.evicted()) {
      doorEvents.grantEvicted(source, removal.atNanos());
    } else {
      doorEvents.grantExpired(source, removal.atNanos());
    }
  }

  private void reportDrops() {
    long dropped = source.stats().dropped();
    if (dropped > reportedDrops) {
      events.kernelDrops(dropped - reportedDrops, dropped);
      reportedDrops = dropped;
    }
  }

  private static void awaitQuietly(java.util.concurrent.ExecutorService timer) {
    try {
      timer.awaitTermination(500, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * On the capture thread: grants are handed to the door's action, never acted on here; the
   * kernel's part goes straight to the nftables worker ({@link DoorAction#openingInKernel}).
   */
  private final class Handoff implements GrantHandler {
    @Override
    public void opened(Door door, long sourceHi, long sourceLo, long expiresAtNanos) {
      DoorAction action = actions.get(door);
      if (action != null) {
        if (action.openingInKernel(sourceHi, sourceLo, expiresAtNanos)) {
          actionQueue.offerOpened(action, sourceHi, sourceLo, expiresAtNanos);
        }
      }
      if (fleet != null) {
        fleet.granted(door, sourceHi, sourceLo, expiresAtNanos);
      }
    }

    @Override
    public void closed(Door door, GrantTable.Removal removal) {
      logRemoval(door, removal);
      DoorAction action = actions.get(door);
      if (action != null) {
        actionQueue.offerClosed(action, removal.sourceHi(), removal.sourceLo());
      }
    }
  }

  /** The action thread's troubles, as server events. */
  private final class ActionFailures implements ActionQueue.Failures {
    @Override
    public void failed(DoorAction action, RuntimeException failure) {
      events.actionFailed(failure.toString());
    }

    @Override
    public void dropped(long droppedTotal) {
      events.actionQueueFull(droppedTotal);
    }
  }
}
