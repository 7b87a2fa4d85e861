package org.udpknock.server;

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
import org.junit.jupiter.api.Assumptions;

/** What the tests that run the packaged jar as a process share: its output as lines, and the skip rule. */
public final class ProcessLines {
  private ProcessLines() {}

  /** Skips {@code test} with a printed reason when not root and CI is unset; in CI it runs. */
  public static void skipUnlessRootOrCi(String test) throws IOException, InterruptedException {
    Process id = new ProcessBuilder("id", "-u").start();
    String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
    id.waitFor();
    if (!uid.equals("0") && System.getenv("CI") == null) {
      System.out.println("SKIPPED " + test + ": capturing on lo needs root here (CI runs it as root)");
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
}
