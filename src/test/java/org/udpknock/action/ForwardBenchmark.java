package org.udpknock.action;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.udpknock.server.Clock;

/**
 * {@code scripts/bench forward}: through a forward door on loopback against a direct loopback
 * connection in the same run, (1) the time from a granted client's connect to the backend's
 * accept, and (2) the throughput of a one-way copy to a backend that discards. Not a test: a
 * benchmark, run by its script.
 *
 * <p>Usage: {@code ForwardBenchmark [ROUNDS [MEBIBYTES]]} (defaults 300 and 1024).
 */
public final class ForwardBenchmark {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  /**
   * Targets: a forwarded connect reaches the backend within a millisecond; the copy keeps over a
   * third of the direct rate (each byte crosses the kernel twice more, so about half is the ceiling).
   */
  private static final long TARGET_MEDIAN_MICROS = 1000;
  private static final double TARGET_RATIO = 0.35;

  private ForwardBenchmark() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    long bytes = (args.length > 1 ? Long.parseLong(args[1]) : 1024) << 20;
    int exitCode = 1;
    try (Sink sink = new Sink()) {
      int doorPort = freePort();
      ForwardAction door = new ForwardAction(LOOPBACK, doorPort, "127.0.0.1:" + sink.port(),
          5_000_000_000L, 256, (hi, lo, now) -> true, ForwardEvents.NONE, Clock.SYSTEM);
      door.start();
      door.openPort();
      try {
        latency("direct", sink, sink.port(), rounds);
        long medianMicros = latency("forward", sink, doorPort, rounds);
        double direct = throughput("direct", sink, sink.port(), bytes);
        double forward = throughput("forward", sink, doorPort, bytes);
        double ratio = forward / direct;
        boolean met = medianMicros <= TARGET_MEDIAN_MICROS && ratio >= TARGET_RATIO;
        System.out.printf("throughput ratio forward/direct: %.2f%ntarget (median <= %d us, ratio >= %.2f): %s%n",
            ratio, TARGET_MEDIAN_MICROS, TARGET_RATIO, met ? "MET" : "MISSED");
        exitCode = met ? 0 : 1;
      } finally {
        door.close();
      }
    }
    System.exit(exitCode);
  }

  /** Connect to accept, {@code rounds} times (after as many warm-up rounds): median and 99th percentile. */
  private static long latency(String label, Sink sink, int port, int rounds) throws Exception {
    long[] micros = new long[rounds];
    for (int i = -rounds; i < rounds; i++) {
      long start = System.nanoTime();
      try (Socket client = new Socket(LOOPBACK, port)) {
        long accepted = sink.accepts.poll(5, TimeUnit.SECONDS);
        if (i >= 0) {
          micros[i] = (accepted - start) / 1000;
        }
      }
    }
    Arrays.sort(micros);
    System.out.printf("connect to backend accept, %s: median %d us, p99 %d us (%d rounds)%n", label,
        micros[rounds / 2], micros[rounds * 99 / 100], rounds);
    return micros[rounds / 2];
  }

  /** One client writes {@code bytes}; timed until the backend has read them all. Best of 3, MiB/s. */
  private static double throughput(String label, Sink sink, int port, long bytes) throws Exception {
    double best = 0;
    byte[] chunk = new byte[1 << 16];
    for (int run = 0; run < 3; run++) {
      long start = System.nanoTime();
      try (Socket client = new Socket(LOOPBACK, port)) {
        sink.accepts.poll(5, TimeUnit.SECONDS);
        OutputStream out = client.getOutputStream();
        for (long sent = 0; sent < bytes; sent += chunk.length) {
          out.write(chunk);
        }
        client.shutdownOutput();
        long read = sink.totalOf(bytes);
        if (read != bytes) {
          throw new IllegalStateException("the backend read " + read + " bytes of " + bytes);
        }
      }
      best = Math.max(best, (bytes / 1048576.0) / ((System.nanoTime() - start) / 1e9));
    }
    System.out.printf("throughput %s: %.0f MiB/s (best of 3, %d MiB)%n", label, best, bytes >> 20);
    return best;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A backend that records when it accepts and how many bytes each connection brought before its end. */
  private static final class Sink implements AutoCloseable {
    final BlockingQueue<Long> accepts = new LinkedBlockingQueue<>();
    private final BlockingQueue<Long> totals = new LinkedBlockingQueue<>();
    private final ServerSocket server = new ServerSocket();

    Sink() throws IOException {
      server.bind(new InetSocketAddress(LOOPBACK, 0), 64);
      Thread thread = new Thread(this::acceptAll, "bench-sink");
      thread.setDaemon(true);
      thread.start();
    }

    /** The total of the next connection that brought bytes (the latency rounds' bring none). */
    long totalOf(long expected) throws InterruptedException {
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (System.nanoTime() < deadline) {
        Long total = totals.poll(1, TimeUnit.SECONDS);
        if (total != null && total != 0) {
          return total;
        }
      }
      return -1;
    }

    int port() {
      return server.getLocalPort();
    }

    private void acceptAll() {
      while (!server.isClosed()) {
        try {
          Socket connection = server.accept();
          accepts.add(System.nanoTime());
          Thread reader = new Thread(() -> drain(connection), "bench-sink-reader");
          reader.setDaemon(true);
          reader.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void drain(Socket connection) {
      try (connection; InputStream in = connection.getInputStream()) {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          total += n;
        }
        totals.add(total);
      } catch (IOException e) {
        totals.add(-1L);
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
