package org.udpknock.fleet;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A redis-server of a test's own: no persistence, its files (log included) in a directory of the
 * test's, stopped by {@link #close}. It can be killed and started again on the same port, paused
 * (SIGSTOP) and resumed, and asked things with redis-cli. {@code prefix} runs it elsewhere, e.g.
 * {@code ip netns exec NS} to start it inside a namespace on an address there.
 */
public final class RedisProcess implements AutoCloseable {
  public static final Path SERVER = Path.of("/usr/bin/redis-server");
  private static final long START_MILLIS = 10_000;

  private final List<String> prefix;
  private final String bind;
  private final int port;
  private final Path directory;
  private final List<String> extraArgs;
  private String password;
  private Process process;
  private int starts;

  private RedisProcess(List<String> prefix, String bind, int port, Path directory, String password, List<String> extraArgs) {
    this.prefix = prefix;
    this.bind = bind;
    this.port = port;
    this.directory = directory;
    this.password = password;
    this.extraArgs = extraArgs;
  }

  /** A server on 127.0.0.1 and a free port; {@code extraArgs} are redis-server options, e.g. {@code --requirepass}. */
  public static RedisProcess onLoopback(Path directory, String... extraArgs) throws IOException {
    return start(List.of(), "127.0.0.1", freePort(), directory, null, List.of(extraArgs));
  }

  /**
   * A server after {@code prefix} (e.g. {@code ip netns exec NS}), on {@code bind}: {@code port};
   * {@code password} (or null) is the one redis-cli gives; {@code --port 0 --tls-port P} in
   * {@code extraArgs} makes it TLS only.
   */
  public static RedisProcess start(List<String> prefix, String bind, int port, Path directory, String password,
      List<String> extraArgs) throws IOException {
    skipUnlessInstalled();
    RedisProcess redis = new RedisProcess(prefix, bind, port, directory, password, extraArgs);
    redis.start();
    return redis;
  }

  /** Skips the test (saying why) when redis-server is missing and CI is unset; fails in CI. */
  public static void skipUnlessInstalled() {
    if (Files.isExecutable(SERVER)) {
      return;
    }
    if (System.getenv("CI") == null) {
      System.out.println("SKIPPED redis test: " + SERVER + " is missing (apt-get install redis-server,"
          + " or set CI to make this a failure)");
      Assumptions.abort(SERVER + " is missing");
    }
    fail(SERVER + " is missing: scripts/test installs it (ensure_redis)");
  }

  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  /** {@code redis://BIND:PORT/0} (scheme {@code rediss} when {@code tls}). */
  public String uri(boolean tls) {
    return (tls ? "rediss" : "redis") + "://" + bind + ":" + port + "/0";
  }

  /** Starts the server (again, after {@link #kill}: same port, same options, empty) and waits until it is ready. */
  public void start() throws IOException {
    Path log = directory.resolve("redis-" + port + "-" + ++starts + ".log");
    List<String> command = new ArrayList<>(prefix);
    boolean tlsOnly = extraArgs.contains("--tls-port");
    command.addAll(List.of(SERVER.toString(), "--bind", bind, "--port", tlsOnly ? "0" : String.valueOf(port),
        "--save", "", "--appendonly", "no", "--dir", directory.toString(), "--logfile", log.toString(),
        "--daemonize", "no"));
    command.addAll(tlsOnly ? withPort(extraArgs) : extraArgs);
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(directory.resolve("redis-" + port + ".out").toFile()).start();
    awaitReady(log);
  }

  private List<String> withPort(List<String> args) {
    List<String> replaced = new ArrayList<>(args);
    replaced.set(replaced.indexOf("--tls-port") + 1, String.valueOf(port));
    return replaced;
  }

  private void awaitReady(Path log) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_MILLIS);
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains("Ready to accept connections")) {
        return;
      }
      pause(20);
    }
    String said = Files.exists(log) ? Files.readString(log) : "(no log)";
    fail("redis-server did not start on " + bind + ":" + port + ": " + said);
  }

  /** SIGKILL, as a crash or a pulled plug: no goodbye to the clients. */
  public void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }

  /** SIGSTOP: connections stay open, nothing answers. */
  public void pause() throws IOException, InterruptedException {
    signal("-STOP");
  }

  /** True while the server runs, paused or not. */
  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** True while it is stopped (SIGSTOP): its state in /proc is T. A signal is delivered asynchronously. */
  public boolean isPaused() {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
      return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
    } catch (IOException e) {
      return false; // ended
    }
  }

  /** SIGCONT after {@link #pause}. */
  public void resume() throws IOException, InterruptedException {
    signal("-CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", signal, String.valueOf(process.pid())).inheritIO().start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      fail("kill " + signal + " " + process.pid() + " failed");
    }
  }

  /** redis-cli's answer (stdout) to {@code args}, e.g. {@code cli("DBSIZE")}; not for a TLS-only server. */
  public String cli(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(List.of("redis-cli", "-h", bind, "-p", String.valueOf(port)));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (password != null) {
      builder.environment().put("REDISCLI_AUTH", password); // Not on the command line, as the daemon's rule.
    }
    Process cli = builder.start();
    byte[] out = cli.getInputStream().readAllBytes();
    if (!cli.waitFor(10, TimeUnit.SECONDS)) {
      cli.destroyForcibly();
      fail("redis-cli " + String.join(" ", args) + " did not finish");
    }
    return new String(out, StandardCharsets.UTF_8).strip();
  }

  /**
   * Makes the server ask for {@code newPassword} from now on (CONFIG SET requirepass, so that the
   * password is never on a command line); redis-cli here then gives it.
   */
  public void requirePassword(String newPassword) throws IOException, InterruptedException {
    String answer = cli("CONFIG", "SET", "requirepass", newPassword);
    if (!answer.equals("OK")) {
      fail("CONFIG SET requirepass: " + answer);
    }
    password = newPassword;
  }

  /** Resumes it if paused, and kills it. */
  @Override
  public void close() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      signal("-CONT");
      kill();
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
