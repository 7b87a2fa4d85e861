package org.udpknock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import org.udpknock.auth.AuthSettings;
import org.udpknock.config.Config;
import org.udpknock.door.DoorConfig;
import org.udpknock.door.DoorWiring;
import org.udpknock.pcapfile.CaptureFileException;
import org.udpknock.pcapfile.CaptureFileReader;
import org.udpknock.pipeline.DestinationFilter;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.replay.Replayer;
import org.udpknock.report.EventOutput;
import org.udpknock.report.EventWriter;
import org.udpknock.report.Totals;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

final class ReplayCommand implements Callable<Integer> {
  static final Specs.Usage USAGE = new Specs.Usage("replay",
      "Replay pcap or pcapng captures through the knock rules and print who knocked.",
      "", "Several files are replayed as one stream, in the order given.",
      "Exit codes: 0 done, 1 a file could not be read or the events could not be written, 2 bad usage.");

  /** Options about the output and the judging's start; the knock rules come from the file. */
  private static final List<String> ALLOWED_WITH_CONFIG = List.of("--config", "--json", "--quiet", "--stats",
      "--not-before");

  final CommandSpec spec = Specs.command(this, USAGE);

  /** Set once the headers are read: the input's reads before then flush directly. */
  private volatile Replayer replayer;

  Path configFile;
  final EngineOptions engineOptions;
  final AuthOptions authOptions;
  String notBefore;
  boolean json;
  boolean quiet;
  boolean stats;
  List<Path> files;

  @SuppressWarnings("unchecked")
  ReplayCommand() {
    spec.addOption(Specs.option(Path.class, value -> configFile = value, "--config").paramLabel("FILE")
        .description("Judge the captures by the doors of this TOML config file (and its max_sources),"
            + " as the server would. The options of the knock rules (--sequence, --secret-file, ...)"
            + " are then refused: set them in the file. --json and --quiet choose the output here.").build());
    engineOptions = new EngineOptions(spec);
    authOptions = new AuthOptions(spec);
    spec.addOption(Specs.option(String.class, value -> notBefore = value, "--not-before").paramLabel("TIME")
        .description("With --secret-file: judge as a server started at TIME (ISO-8601, e.g."
            + " 2026-11-24T18:10:26.445980257Z) did: refuse knocks stamped before TIME + --max-ahead"
            + " (before-start). Default: no bound.").build());
    spec.addOption(Specs.flag(value -> json = value, "--json").description("Print one JSON object per line.").build());
    spec.addOption(Specs.flag(value -> quiet = value, "--quiet").description("Print only grants and the summary.").build());
    spec.addOption(Specs.flag(value -> stats = value, "--stats")
        .description("Print the replay's speed on stderr: packets per second through reading, decoding and the engine.")
        .build());
    spec.addPositional(Specs.parameter(List.class, value -> files = value, "0..*", "1..*")
        .auxiliaryTypes(Path.class).paramLabel("FILE")
        .description("pcap or pcapng captures: files, FIFOs, or - for standard input (e.g. tcpdump -U -w -).")
        .build());
  }

  @Override
  public Integer call() throws IOException {
    Judging judging = configFile == null ? fromOptions() : fromFile();
    PrintWriter out = spec.commandLine().getOut();
    EventWriter events = EventWriter.create(json, out);
    Runnable flush = () -> flushOrFail(events, out);
    List<CaptureFileReader> readers = ReplayInputs.open(files, System.in, () -> beforeRead(flush));
    try {
      replay(judging, events, readers, flush);
    } finally {
      ReplayInputs.closeAll(readers);
    }
    flushOrFail(events, out);
    return ExitCodes.OK;
  }

  /** The doors the captures are judged by, and the bound on each door's attempts. */
  private record Judging(List<DoorConfig> doors, int maxSources) {}

  private Judging fromOptions() {
    engineOptions.validate();
    AuthSettings auth = authOptions.settings();
    MemoryBudget.check(engineOptions.maxSources, auth == null ? 0 : auth.nonceCacheCapacity(), 0);
    if (notBefore != null && auth == null) {
      throw new UserError(ExitCodes.USAGE, "--not-before goes with --secret-file; add one or drop it.");
    }
    return new Judging(doors(auth), engineOptions.maxSources);
  }

  /** The config file's doors, as the server would run them. */
  private Judging fromFile() {
    for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
      if (!ALLOWED_WITH_CONFIG.contains(option.longestName())) {
        throw new UserError(ExitCodes.USAGE, option.longestName() + " cannot be given with --config;"
            + " set it in " + configFile + ", or drop --config");
      }
    }
    Config file = CheckConfigCommand.load(configFile);
    MemoryBudget.check(file.doors(), file.maxSources(), 0);
    if (notBefore != null && file.doors().stream().allMatch(door -> door.rules().auth() == null)) {
      throw new UserError(ExitCodes.USAGE, "--not-before goes with an authenticated door (secret_file);"
          + " " + configFile + " has none, so drop it.");
    }
    return new Judging(file.doors(), file.maxSources());
  }

  /** Opening reads the headers before there is a replayer; reading then goes through it. */
  private void beforeRead(Runnable flush) {
    Replayer current = replayer;
    if (current == null) {
      flush.run();
    } else {
      current.beforeRead();
    }
  }

  private void replay(Judging judging, EventWriter events, List<CaptureFileReader> readers, Runnable flush)
      throws IOException {
    DoorWiring wiring = DoorWiring.replay(DoorWiring.share(judging.maxSources(), judging.doors().size()),
        notBeforeNanos(), quiet);
    FramePipeline pipeline = FramePipeline.of(judging.doors(), events, wiring, DestinationFilter.ANY);
    long started = System.nanoTime();
    try {
      // Reading and decoding on a second core, when there is one and more to read than one read
      // takes: the output is the same.
      replayer = new Replayer(pipeline, events, flush, Runtime.getRuntime().availableProcessors() > 1
          && ReplayInputs.moreThanOneRead(files));
      replayer.replay(readers);
      if (stats) {
        printStats(pipeline.frames(), System.nanoTime() - started);
      }
    } catch (CaptureFileException e) {
      throw new UserError(ExitCodes.FAILURE, e.getMessage());
    } finally {
      events.finishBlocked(pipeline.lastTimeNanos());
      events.summary(Totals.ofReplay(pipeline), pipeline.frames() > 0, pipeline.lastTimeNanos());
      events.flush();
    }
  }

  /** Without --config: the options' one door, named {@code default}. */
  private List<DoorConfig> doors(AuthSettings auth) {
    DoorConfig.KnockRules rules = new DoorConfig.KnockRules(engineOptions.sequence(),
        engineOptions.sequenceTimeoutNanos, engineOptions.scanGuardDistance(auth != null), auth);
    return List.of(DoorConfig.defaultDoor().withRules(rules));
  }

  /**
   * Flushes the events written so far; a replay whose events cannot be written (a full disk, a
   * reader that went away) stops with a sentence rather than exit 0 having printed nothing.
   */
  private static void flushOrFail(EventWriter events, PrintWriter out) {
    events.flush();
    if (out.checkError()) {
      IOException why = out instanceof EventOutput ? ((EventOutput) out).lastFailure() : null;
      throw new UserError(ExitCodes.FAILURE, "could not write the events to standard output"
          + (why == null ? "" : " (" + why.getMessage() + ")")
          + "; check the disk or the program reading them");
    }
  }

  /** --not-before in nanoseconds since the epoch: the start the verifier adds max-ahead to; or no bound. */
  private long notBeforeNanos() {
    if (notBefore == null) {
      return Long.MIN_VALUE;
    }
    try {
      Instant time = Instant.parse(notBefore);
      return Math.addExact(Math.multiplyExact(time.getEpochSecond(), 1_000_000_000L), time.getNano());
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new UserError(ExitCodes.USAGE, "--not-before must be an ISO-8601 time in UTC such as"
          + " 2026-11-24T18:10:26Z, between the years 1678 and 2262, not '" + notBefore + "'.");
    }
  }

  private void printStats(long frames, long elapsedNanos) {
    double seconds = elapsedNanos / 1e9;
    spec.commandLine().getErr().printf("replay: %d packets in %.3f s: %.0f packets/s (reading, decoding, engine; in process)%n",
        frames, seconds, frames / Math.max(seconds, 1e-9));
  }
}
