package org.udpknock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.udpknock.auth.AuthSettings;
import org.udpknock.capture.Pcap;
import org.udpknock.capture.PcapCapture;
import org.udpknock.config.Config;
import org.udpknock.config.ConfigException;
import org.udpknock.config.ConfigFile;
import org.udpknock.config.MetricsAddress;
import org.udpknock.decode.LinkType;
import org.udpknock.door.Sharing;
import org.udpknock.door.ActionKind;
import org.udpknock.door.Commands;
import org.udpknock.door.DoorConfig;
import org.udpknock.fleet.FleetSettings;
import org.udpknock.fleet.GrantStore;
import org.udpknock.fleet.RedisGrantStore;
import org.udpknock.metrics.ServerMetrics;
import org.udpknock.report.EventOutput;
import org.udpknock.report.EventWriter;
import org.udpknock.server.CaptureException;
import org.udpknock.server.Clock;
import org.udpknock.server.DefaultInterface;
import org.udpknock.server.KnockServer;
import org.udpknock.server.ReopeningSource;
import org.udpknock.server.ServerConfig;
import org.udpknock.server.ServerSettings;
import org.udpknock.server.Warmup;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

final class ServerCommand implements Callable<Integer> {
  static final Specs.Usage USAGE = new Specs.Usage("server", new String[] {
      "Sniff UDP knocks on an interface and open the TCP service port to the sources"
          + " that complete the sequence. Needs the CAP_NET_RAW capability (or root), and"
          + " CAP_NET_ADMIN for nftables to reset connections from sources without a grant."},
      new String[] {"", "Stops on SIGINT or SIGTERM and prints its totals. SIGHUP reloads the --config file's doors"
            + " (see the README's Config file section); a file that fails to load is logged and the old doors go on.",
          "If the interface disappears while capturing, the server logs capture-lost, keeps its"
            + " grants and knock attempts, reopens it with backoff and logs capture-resumed.",
          "Exit codes: 0 stopped by a signal, 1 cannot run here (libpcap, privilege, busy port,"
            + " capture failure), 2 bad usage (including an unknown interface or a bad config file)."});

  /** The only option that may go with --config: the command line's interface wins over the file's. */
  private static final List<String> ALLOWED_WITH_CONFIG = List.of("--config", "--interface");

  final CommandSpec spec = Specs.command(this, USAGE);
  Path configFile;
  final EngineOptions engineOptions;
  final AuthOptions authOptions;
  final NftOptions nftOptions;
  String interfaceName;
  final ServicePortOption servicePort;
  long serviceTimeoutNanos;
  int maxGrants;
  int captureBufferBytes;
  String bind;
  String greeting;
  boolean anyDestination;
  long writeTimeoutNanos;
  boolean waitForInterface;
  MetricsAddress metrics;
  boolean json;
  boolean quiet;

  ServerCommand() {
    spec.addOption(Specs.option(Path.class, value -> configFile = value, "--config").paramLabel("FILE")
        .description("Read the settings and doors from this TOML file (check it with check-config)."
            + " Only -i may go with it, and wins over the file's interface; any other option is"
            + " refused: set it in the file.").build());
    engineOptions = new EngineOptions(spec);
    authOptions = new AuthOptions(spec);
    nftOptions = new NftOptions(spec);
    spec.addOption(Specs.option(String.class, value -> interfaceName = value, "-i", "--interface")
        .paramLabel("NAME")
        .description("Interface to sniff. Default: 'any' where libpcap has it, else the default route's.").build());
    servicePort = new ServicePortOption(spec);
    spec.addOption(Specs.option(long.class, value -> serviceTimeoutNanos = value, "--service-timeout")
        .paramLabel("DURATION").converters(new Converters.Duration()).defaultValue("30s")
        .description("How long a grant lasts. Default: 30s.").build());
    spec.addOption(Specs.option(int.class, value -> maxGrants = value, "--max-grants").paramLabel("N")
        .defaultValue("" + ServerSettings.DEFAULT_MAX_GRANTS)
        .description("Most grants held at once; the oldest is evicted beyond (grant-evicted)."
            + " Default: ${DEFAULT-VALUE}.").build());
    spec.addOption(Specs.option(int.class, value -> captureBufferBytes = value, "--capture-buffer")
        .paramLabel("SIZE").converters(new Converters.CaptureBuffer())
        .defaultValue("" + (Config.DEFAULT_CAPTURE_BUFFER_BYTES >> 20) + "m")
        .description("The kernel's capture ring, where packets wait for udpknock: a larger one rides out"
            + " longer bursts, and is resident memory. 1m to 1024m. Default: ${DEFAULT-VALUE}.").build());
    spec.addOption(Specs.option(String.class, value -> bind = value, "--bind").paramLabel("ADDRESS")
        .description("Address the service port listens on. Default: all addresses.").build());
    spec.addOption(Specs.option(String.class, value -> greeting = value, "--greeting").paramLabel("TEXT")
        .defaultValue(DoorConfig.DEFAULT_GREETING)
        .description("What a granted source reads. Default: ${DEFAULT-VALUE}").build());
    spec.addOption(Specs.flag(value -> anyDestination = value, "--any-destination")
        .description("Count knocks addressed to any host, not only to this host's addresses.").build());
    spec.addOption(Specs.option(long.class, value -> writeTimeoutNanos = value, "--write-timeout")
        .paramLabel("DURATION").converters(new Converters.Duration()).defaultValue("5s")
        .description("How long a granted client has to read the greeting before it is cut off, so one"
            + " that never reads holds nothing. Default: 5s.").build());
    spec.addOption(Specs.flag(value -> waitForInterface = value, "--wait-for-interface")
        .description("If the interface does not exist yet (or is down), wait for it, retrying with"
            + " backoff (100 ms doubling to 5 s), instead of failing.").build());
    spec.addOption(Specs.option(MetricsAddress.class, value -> metrics = value, "--metrics")
        .paramLabel("ADDRESS:PORT").converters(new Converters.Metrics())
        .description("Serve Prometheus metrics on http://ADDRESS:PORT/metrics, e.g. 127.0.0.1:9741;"
            + " a port alone is loopback's. Any other address shows an open port to whoever reaches it."
            + " Default: none.").build());
    spec.addOption(Specs.flag(value -> json = value, "--json").description("Print events as JSON lines.").build());
    spec.addOption(Specs.flag(value -> quiet = value, "--quiet")
        .description("Do not log knock progress, resets and rejected knocks (a flood makes millions);"
            + " grants, connections and server events are still logged.").build());
  }

  @Override
  public Integer call() throws Exception {
    ServerConfig config = config();
    Warmup warmup = Warmup.start(config.doors()); // While nftables is set up and the capture opens.
    PrintWriter out = spec.commandLine().getOut();
    EventWriter writer = EventWriter.create(config.settings().json(), out);
    writer.setTimeDigits(9);
    config.doors().stream().filter(door -> door.action().listens()).forEach(this::checkServicePort);
    ReopeningSource[] self = new ReopeningSource[1]; // A capture reopened after a reload uses the reload's filter.
    ReopeningSource capture = new ReopeningSource(config.interfaceName(), config.captureFilter(),
        () -> PcapCapture.open(config.interfaceName(), self[0].refiltered(config::captureFilter),
            config.settings().captureBufferBytes()), writer, Clock.SYSTEM);
    self[0] = capture;
    NftOptions.KernelGuards access = NftOptions.start(config, writer);
    KnockServer server = newServer(config, capture, writer, access);
    ServerMetrics metrics = startMetrics(config.settings().metrics(), server, capture, writer, access);
    server.setLogKnockProgress(!config.settings().quiet());
    if (out instanceof EventOutput) { // The real standard output; tests give a StringWriter.
      server.watchLog((EventOutput) out, spec.commandLine().getErr());
    }
    Signals.onTerminate(server::stop);
    if (configFile != null) {
      server.reloadFrom(reader(config.interfaceName()));
    }
    Signals.onReload(server::reloadAsked);
    boolean opened = openCapture(capture, config.settings().waitForInterface()); // False: a signal came while waiting for the interface.
    try {
      if (opened) {
        server.run(LinkType.name(capture.linkType()), warmup);
      }
    } catch (CaptureException e) {
      throw new UserError(ExitCodes.FAILURE, e.getMessage());
    } finally {
      if (metrics != null) {
        metrics.close();
      }
      access.close();
      capture.close();
      writer.summary(server.totals(), true, Clock.SYSTEM.nowNanos());
      writer.flush();
      server.logAtExit();
    }
    return ExitCodes.OK;
  }

  private static KnockServer newServer(ServerConfig config, ReopeningSource capture, EventWriter writer,
      NftOptions.KernelGuards access) {
    GrantStore store = null;
    try {
      store = grantStore(config.settings().fleet());
      return new KnockServer(config, capture, writer, Clock.SYSTEM, access, store);
    } catch (IllegalArgumentException e) { // A door whose action cannot be made, or a store that cannot be: one sentence.
      if (store != null) {
        store.close();
      }
      access.close();
      capture.close();
      throw new UserError(ExitCodes.USAGE, e.getMessage());
    }
  }

  /** The fleet's Redis, not yet connected (the server starts even while it is unreachable); null for none. */
  private static GrantStore grantStore(FleetSettings fleet) {
    return fleet == null ? null : new RedisGrantStore(fleet);
  }

  /**
   * Serves metrics on {@code address} (null: none), before the capture opens: a busy port fails
   * the start in one sentence, as the service port does. An address other than loopback is said.
   */
  private ServerMetrics startMetrics(MetricsAddress address, KnockServer server, ReopeningSource capture,
      EventWriter writer, NftOptions.KernelGuards access) {
    if (address == null) {
      return null;
    }
    try {
      ServerMetrics metrics = ServerMetrics.start(address, server, capture::reopenings);
      writer.serverEvent("metrics-open", Clock.SYSTEM.nowNanos(), null, "address", address.toString(), "path", "/metrics");
      if (!address.loopback()) {
        writer.serverEvent("warning", Clock.SYSTEM.nowNanos(), null, "message", "metrics on " + address
            + " answer whoever can reach this host: a scanner sees that port open; firewall it, or serve on 127.0.0.1");
      }
      return metrics;
    } catch (IOException e) {
      access.close();
      capture.close();
      throw metricsRefused(address, e);
    }
  }

  private UserError metricsRefused(MetricsAddress address, IOException e) {
    String whose = configFile == null ? "" : configFile + ": ";
    String why = String.valueOf(e.getMessage());
    if (e instanceof BindException && why.contains("assign")) {
      return new UserError(ExitCodes.USAGE, whose + "metrics address " + address.address().getHostAddress()
          + " is not an address of this host; give one of its addresses, or 127.0.0.1");
    }
    if (e instanceof BindException) {
      return new UserError(ExitCodes.FAILURE, whose + "metrics port " + address + " is already in use; stop what"
          + " listens there or choose another " + (configFile == null ? "with --metrics" : "in metrics"));
    }
    return new UserError(ExitCodes.FAILURE, whose + "cannot serve metrics on " + address + ": " + why);
  }

  /** The settings and doors to run: the config file's, or from the options one door named {@code default}. */
  private ServerConfig config() throws CaptureException {
    if (configFile != null) {
      return fromFile();
    }
    engineOptions.validate();
    // The key file is checked before any capture is opened: a bad key must not sniff at all.
    AuthSettings auth = authOptions.settings();
    if (serviceTimeoutNanos <= 0) {
      throw new UserError(ExitCodes.USAGE, "--service-timeout must be longer than 0.");
    }
    if (writeTimeoutNanos <= 0) {
      throw new UserError(ExitCodes.USAGE, "--write-timeout must be longer than 0.");
    }
    if (maxGrants < 1 || maxGrants > EngineOptions.MAX_SOURCES_LIMIT) {
      throw new UserError(ExitCodes.USAGE, "--max-grants must be between 1 and "
          + EngineOptions.MAX_SOURCES_LIMIT + ", not " + maxGrants + ".");
    }
    MemoryBudget.check(engineOptions.maxSources, auth == null ? 0 : auth.nonceCacheCapacity(), maxGrants);
    ServerSettings settings = new ServerSettings(chooseInterface(interfaceName, waitForInterface), json, quiet, engineOptions.maxSources, maxGrants,
        captureBufferBytes, anyDestination, waitForInterface, ServerSettings.DEFAULT_MAX_GREETINGS_IN_FLIGHT, nftOptions.settingsMode(),
        nftOptions.table, metrics, null);
    return checked(settings, List.of(defaultDoor(auth)));
  }

  /** The config file's settings and doors; -i wins over its interface. */
  private ServerConfig fromFile() {
    refuseOptionsBesideConfig();
    Config file = CheckConfigCommand.load(configFile);
    MemoryBudget.check(file.doors(), file.maxSources(), file.maxGrants());
    String name = interfaceName != null ? interfaceName : file.interfaceName();
    try {
      return ServerConfig.of(file, chooseInterface(name, file.waitForInterface()));
    } catch (IllegalArgumentException e) {
      throw new UserError(ExitCodes.USAGE, configFile + ": " + e.getMessage());
    }
  }

  /**
   * What SIGHUP reads: the file again, checked as at start. The interface is -i's, else the
   * file's, else the one the server started on (a change only a restart applies).
   */
  private KnockServer.ConfigReader reader(String startedOn) {
    String given = interfaceName;
    Path file = configFile;
    return new KnockServer.ConfigReader() {
      @Override
      public String name() {
        return file.toString();
      }

      @Override
      public ServerConfig read() throws ConfigException {
        Config loaded = ConfigFile.load(file);
        MemoryBudget.check(loaded.doors(), loaded.maxSources(), loaded.maxGrants());
        String name = given != null ? given : loaded.interfaceName() != null ? loaded.interfaceName() : startedOn;
        try {
          return ServerConfig.of(loaded, name);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
      }
    };
  }

  /** An option beside --config would be ambiguous (which wins?): the file says it all, but -i. */
  private void refuseOptionsBesideConfig() {
    for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
      if (!ALLOWED_WITH_CONFIG.contains(option.longestName())) {
        throw new UserError(ExitCodes.USAGE, option.longestName() + " cannot be given with --config;"
            + " set it in " + configFile + " (see check-config and the README's Config file section),"
            + " or drop --config");
      }
    }
  }

  /** Doors that cannot run together (one name twice, one listening port twice) are a usage error. */
  private static ServerConfig checked(ServerSettings settings, List<DoorConfig> doors) {
    try {
      return new ServerConfig(settings, doors);
    } catch (IllegalArgumentException e) {
      throw new UserError(ExitCodes.USAGE, e.getMessage());
    }
  }

  /** Today's options as one door, named {@code default}. */
  private DoorConfig defaultDoor(AuthSettings auth) {
    DoorConfig.KnockRules rules = new DoorConfig.KnockRules(engineOptions.sequence(),
        engineOptions.sequenceTimeoutNanos, engineOptions.scanGuardDistance(auth != null), auth);
    return new DoorConfig(DoorConfig.DEFAULT_NAME, rules, serviceTimeoutNanos, ActionKind.GREET,
        servicePort.validated(), bindAddress(), greeting, writeTimeoutNanos, null,
        DoorConfig.DEFAULT_CONNECT_TIMEOUT_NANOS, DoorConfig.DEFAULT_MAX_CONNECTIONS, Commands.NONE,
        Sharing.NONE);
  }

  private String chooseInterface(String interfaceName, boolean waitForInterface) {
    // Listing libpcap's devices waited for libpcap to load and built every device's addresses,
    // for a name the kernel already knows (by hand: the median start, 12 alternated pairs, went
    // from 451 to 440 ms without it).
    if (interfaceName != null && DefaultInterface.isKernelInterface(interfaceName, Path.of("/sys/class/net"))) {
      return interfaceName;
    }
    List<String> names = deviceNames();
    if (interfaceName == null) {
      return DefaultInterface.choose(names, Path.of("/proc/net/route")).orElseThrow(() ->
          new UserError(ExitCodes.FAILURE, "libpcap lists no capture interface; check that this"
              + " user may capture, or name one with --interface"));
    }
    if (!names.contains(interfaceName) && !waitForInterface) {
      throw new UserError(ExitCodes.USAGE, "there is no capture interface named '" + interfaceName
          + "'; choose one of: " + String.join(", ", names)
          + ", or add --wait-for-interface to wait until it appears");
    }
    return interfaceName;
  }

  private static List<String> deviceNames() {
    try {
      return Pcap.devices().stream().map(Pcap.Device::name).collect(Collectors.toList());
    } catch (CaptureException e) {
      throw new UserError(ExitCodes.FAILURE, e.getMessage());
    }
  }

  private InetAddress bindAddress() {
    if (bind == null) {
      return null;
    }
    if (bind.isBlank()) { // InetAddress.getByName("") is loopback: --bind "" listened there alone.
      throw new UserError(ExitCodes.USAGE, "--bind needs an address; give an IPv4 or IPv6 address"
          + " of this host, or leave it out to listen on all");
    }
    try {
      return InetAddress.getByName(bind);
    } catch (UnknownHostException e) {
      throw new UserError(ExitCodes.USAGE, "--bind '" + bind + "' is not an address of this host;"
          + " give an IPv4 or IPv6 address, or leave it out to listen on all");
    }
  }

  private void checkServicePort(DoorConfig door) {
    String where = door.bind() == null ? "" : " on " + door.bind().getHostAddress();
    String whose = configFile == null ? "" : configFile + ": door \"" + door.name() + "\": ";
    try {
      KnockServer.checkServicePort(door.bind(), door.port());
    } catch (BindException e) {
      String why = String.valueOf(e.getMessage());
      if (why.contains("assign")) {
        throw new UserError(ExitCodes.USAGE, whose + (configFile == null ? "--bind " : "bind ")
            + door.bind().getHostAddress() + " is not an address of this host; give one of its addresses,"
            + " or leave " + (configFile == null ? "--bind" : "bind") + " out");
      }
      throw new UserError(ExitCodes.FAILURE, whose + "port " + door.port() + where
          + " is already in use; stop what listens there or choose another "
          + (configFile == null ? "with --service-port" : "port"));
    } catch (IOException e) {
      throw new UserError(ExitCodes.FAILURE, "cannot listen on port " + door.port() + where
          + ": " + e.getMessage());
    }
  }

  /** Opens the capture, waiting for the interface if asked; false when a signal came first. */
  private boolean openCapture(ReopeningSource capture, boolean waitForInterface) {
    try {
      return capture.openFirst(waitForInterface);
    } catch (CaptureException e) {
      int code = e.kind() == CaptureException.Kind.NO_SUCH_INTERFACE ? ExitCodes.USAGE : ExitCodes.FAILURE;
      throw new UserError(code, e.getMessage());
    }
  }
}
