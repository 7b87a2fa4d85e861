package org.udpknock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;

/**
 * What the tests that run processes share: the packaged jar's output as lines, a process's output
 * as text, commands run to their end, bounded waits, and the skip rule.
 */
public final class ProcessLines {
  private ProcessLines() {}

  /** Skips {@code test} with a printed reason when not root and CI is unset; in CI it runs. */
  public static void skipUnlessRootOrCi(String test) throws IOException, InterruptedException {
    skipUnlessRootOrCi(test, "capturing on lo needs root here (CI runs it as root)");
  }

  /** As {@link #skipUnlessRootOrCi(String)}, saying {@code why} root is needed. */
  public static void skipUnlessRootOrCi(String test, String why) throws IOException, InterruptedException {
    Process id = new ProcessBuilder("id", "-u").start();
    String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    id.waitFor();
    if (!uid.equals("0") && System.getenv("CI") == null) {
      System.out.println("SKIPPED " + test + ": " + why);
      Assumptions.abort("not root");
    }
  }

  /** The java this test runs on, to run the jar with. */
  public static String javaCommand() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  /** The lines of {@code stream}, read as they come by a daemon thread. */
  public static BlockingQueue<String> linesOf(InputStream stream) {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        lines.add("(output ended: " + e + ")");
      }
    }, "server-output");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  public static void awaitLine(BlockingQueue<String> lines, String text) throws InterruptedException {
    linesUntil(lines, text);
  }

  /** Every line up to the first containing {@code text}, that one included; at most 10 s. */
  public static List<String> linesUntil(BlockingQueue<String> lines, String text) throws InterruptedException {
    List<String> seen = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null) {
        seen.add(line);
        if (line.contains(text)) {
          return seen;
        }
      }
    }
    fail("no line containing '" + text + "' within 10 s; output: " + seen);
    return seen;
  }

  /** Reads a stream on a daemon thread; {@link #text} is everything read so far. */
  public static final class Output {
    private final StringBuffer text = new StringBuffer();
    private final Thread reader;

    public Output(InputStream in) {
      reader = new Thread(() -> {
        byte[] buffer = new byte[4096];
        try (in) {
          for (int n; (n = in.read(buffer)) >= 0; ) {
            text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
          }
        } catch (IOException e) {
          text.append("(output ended: ").append(e).append(')');
        }
      }, "process-output");
      reader.setDaemon(true);
      reader.start();
    }

    public String text() {
      return text.toString();
    }

    /** After the process ended: its output is complete once the reader has drained the pipe. */
    public void awaitEnd() throws InterruptedException {
      reader.join(5000);
    }
  }

  /** A command's exit code and its output (stdout and stderr together). */
  public record Result(int code, String output) {}

  /** Waits at most 15 s for {@code condition}, polling; {@code what} is read on failure. */
  public static void await(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("timed out after 15 s waiting for " + what.get());
      }
      Thread.sleep(10);
    }
  }

  /** Runs a command to its end and fails unless it exits 0. */
  public static void ok(String... command) throws IOException, InterruptedException {
    Result result = run(command);
    assertEquals(0, result.code(), String.join(" ", command) + ": " + result.output());
  }

  /** Runs a command to its end, at most 30 s; a command still running then is killed and fails. */
  public static Result run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    Output output = new Output(process.getInputStream());
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail(String.join(" ", command) + " still running after 30 s: " + output.text());
    }
    output.awaitEnd();
    return new Result(process.exitValue(), output.text());
  }
}
