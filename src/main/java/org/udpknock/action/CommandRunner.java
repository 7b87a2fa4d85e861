package org.udpknock.action;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Runs doors' commands off the caller's thread: {@link #submit} never blocks. At most
 * {@code maxRunning} run at once and at most {@code maxWaiting} wait; a command beyond that is
 * dropped and reported, never queued without bound. Commands of one door for one source run one
 * after another in order, so an {@code on_close} never overtakes its {@code on_open}.
 *
 * <p>A command's output (stdout and stderr merged) goes to a private file, read for its first
 * line when it exits and then deleted: no thread ever blocks on a pipe that a command's
 * background child may hold open. Its input is {@code /dev/null}.
 *
 * <p>Time limits are measured on {@code nanoTime} (monotonic) and enforced by
 * {@link #expireOverdue}, which kills an overdue command and its whole process tree. The
 * production runner calls it every {@value #TICK_MILLIS} ms; tests call it after moving a clock.
 */
public final class CommandRunner implements AutoCloseable {
  public static final int DEFAULT_MAX_RUNNING = 4;
  public static final int DEFAULT_MAX_WAITING = 64;
  static final long TICK_MILLIS = 100;
  /** How long {@link #close} lets queued and running commands finish before it kills them. */
  static final long STOP_GRACE_MILLIS = 15_000;
  private static final File NO_INPUT = new File("/dev/null");

  private final int maxRunning;
  private final int maxWaiting;
  private final LongSupplier nanoTime;
  private final CommandListener listener;
  private final Path outputDirectory;
  private final ExecutorService launcher;
  private final ScheduledExecutorService ticker;
  /** Ready to start: no command of the same serial key is running or ahead. */
  private final ArrayDeque<Command> ready = new ArrayDeque<>();
  /** Serial keys with a command ready or running, each with the commands waiting behind it. */
  private final Map<Command.SerialKey, ArrayDeque<Command>> busy = new HashMap<>();
  private final Set<Running> running = new HashSet<>();
  private int waiting;
  private int slotsTaken;
  private boolean stopping;

  /** One started command. */
  private static final class Running {
    final Command command;
    final Process process;
    final Path output;
    final long startedNanos;
    boolean killed;

    Running(Command command, Process process, Path output, long startedNanos) {
      this.command = command;
      this.process = process;
      this.output = output;
      this.startedNanos = startedNanos;
    }
  }

  /**
   * A runner whose time limits are enforced by the caller's calls to {@link #expireOverdue}.
   *
   * @throws IOException if the private output directory cannot be created
   */
  public CommandRunner(int maxRunning, int maxWaiting, LongSupplier nanoTime, CommandListener listener)
      throws IOException {
    this(maxRunning, maxWaiting, nanoTime, listener, false);
  }

  private CommandRunner(int maxRunning, int maxWaiting, LongSupplier nanoTime, CommandListener listener,
      boolean ticking) throws IOException {
    if (maxRunning < 1 || maxWaiting < 0) {
      throw new IllegalArgumentException("maxRunning < 1 or maxWaiting < 0: " + maxRunning + ", " + maxWaiting);
    }
    this.maxRunning = maxRunning;
    this.maxWaiting = maxWaiting;
    this.nanoTime = nanoTime;
    this.listener = listener;
    this.outputDirectory = Files.createTempDirectory("udpknock-commands-"); // rwx------
    this.launcher = Executors.newSingleThreadExecutor(daemon("udpknock-commands"));
    this.ticker = ticking ? Executors.newSingleThreadScheduledExecutor(daemon("udpknock-command-timer")) : null;
    if (ticker != null) {
      ticker.scheduleWithFixedDelay(this::expireOverdue, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * The server's runner: {@value #DEFAULT_MAX_RUNNING} at once, {@value #DEFAULT_MAX_WAITING}
   * waiting, time limits on {@link System#nanoTime} checked every {@value #TICK_MILLIS} ms.
   *
   * @throws DoorAction.ActionException in one sentence, if its output directory cannot be made
   */
  public static CommandRunner startDefault(CommandListener listener) throws DoorAction.ActionException {
    try {
      return new CommandRunner(DEFAULT_MAX_RUNNING, DEFAULT_MAX_WAITING, System::nanoTime, listener, true);
    } catch (IOException e) {
      throw new DoorAction.ActionException("cannot create a directory for command output under "
          + System.getProperty("java.io.tmpdir") + " (" + e.getMessage()
          + "): make it writable, or set another with UDPKNOCK_JAVA_OPTS=-Djava.io.tmpdir=DIR", e);
    }
  }

  /** Queues {@code command} and returns at once; false (and reported) when it was dropped. */
  public boolean submit(Command command) {
    String dropped = enqueue(command);
    if (dropped != null) {
      listener.dropped(command, dropped);
    }
    return dropped == null;
  }

  private synchronized String enqueue(Command command) {
    if (stopping) {
      return "stopping";
    }
    if (waiting >= maxWaiting) {
      return "queue-full";
    }
    waiting++;
    ArrayDeque<Command> behind = busy.get(command.serialKey());
    if (behind != null) {
      behind.add(command);
    } else {
      busy.put(command.serialKey(), new ArrayDeque<>());
      ready.add(command);
      startReady();
    }
    return null;
  }

  /** Takes free slots for ready commands; the launcher thread starts them. */
  private void startReady() {
    while (slotsTaken < maxRunning && !ready.isEmpty()) {
      Command next = ready.poll();
      waiting--;
      slotsTaken++;
      launcher.execute(() -> launch(next));
    }
  }

  private void launch(Command command) {
    Path output = null;
    try {
      output = Files.createTempFile(outputDirectory, "command-", ".out");
      Process process = new ProcessBuilder(command.arguments()).redirectErrorStream(true)
          .redirectInput(Redirect.from(NO_INPUT)).redirectOutput(output.toFile()).start();
      Running run = new Running(command, process, output, nanoTime.getAsLong());
      synchronized (this) {
        running.add(run);
      }
      listener.started(command, process.pid());
      process.onExit().whenComplete((exited, error) -> finished(run));
    } catch (IOException | RuntimeException e) {
      delete(output);
      listener.failedToStart(command, whyNotStarted(command, e));
      release(command);
    }
  }

  private static String whyNotStarted(Command command, Exception e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    // ProcessBuilder says: Cannot run program "x": error=2, No such file or directory
    int cause = message.lastIndexOf(", ");
    return "cannot run " + command.arguments().get(0) + ": "
        + (cause >= 0 ? message.substring(cause + 2) : message);
  }

  private void finished(Running run) {
    boolean killed;
    synchronized (this) {
      running.remove(run);
      killed = run.killed;
    }
    String firstLine = FirstLine.of(run.output);
    delete(run.output);
    long duration = nanoTime.getAsLong() - run.startedNanos;
    if (killed) {
      listener.timedOut(run.command, firstLine, duration);
    } else {
      listener.finished(run.command, run.process.exitValue(), firstLine, duration);
    }
    release(run.command);
  }

  /** Frees {@code command}'s slot; the next command of its serial key becomes ready. */
  private synchronized void release(Command command) {
    slotsTaken--;
    ArrayDeque<Command> behind = busy.get(command.serialKey());
    Command next = behind.poll();
    if (next == null) {
      busy.remove(command.serialKey());
    } else {
      ready.add(next);
    }
    startReady();
    notifyAll();
  }

  /** Kills every command past its time limit, with its process tree. Returns how many. */
  public int expireOverdue() {
    long now = nanoTime.getAsLong();
    List<Running> overdue = new ArrayList<>();
    synchronized (this) {
      for (Running run : running) {
        if (!run.killed && now - run.startedNanos >= run.command.timeoutNanos()) {
          run.killed = true;
          overdue.add(run);
        }
      }
    }
    overdue.forEach(run -> killTree(run.process));
    return overdue.size();
  }

  /** The children are listed first: once their parent is dead, they are no longer its descendants. */
  private static void killTree(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  /** Commands started and not yet exited. */
  public synchronized int running() {
    return running.size();
  }

  /** Commands accepted and not yet started. */
  public synchronized int waiting() {
    return waiting;
  }

  /**
   * Refuses new commands, lets those accepted finish for up to {@value #STOP_GRACE_MILLIS} ms
   * (time limits still apply), then kills what is left and deletes the output directory.
   */
  @Override
  public void close() {
    synchronized (this) {
      stopping = true;
    }
    awaitIdle(STOP_GRACE_MILLIS);
    List<Running> left;
    synchronized (this) {
      left = new ArrayList<>(running);
      left.forEach(run -> run.killed = true);
    }
    left.forEach(run -> killTree(run.process));
    awaitIdle(1_000);
    if (ticker != null) {
      ticker.shutdownNow();
    }
    launcher.shutdownNow();
    deleteDirectory();
  }

  /** Waits, at most {@code millis}, until nothing waits or runs. */
  synchronized boolean awaitIdle(long millis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (waiting > 0 || slotsTaken > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private void deleteDirectory() {
    try (var files = Files.list(outputDirectory)) {
      files.forEach(CommandRunner::delete);
    } catch (IOException e) {
      // Nothing to report: the directory is private and empty but for killed commands' output.
    }
    delete(outputDirectory);
  }

  private static void delete(Path path) {
    if (path != null) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        // A leftover file in the private directory is harmless.
      }
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
