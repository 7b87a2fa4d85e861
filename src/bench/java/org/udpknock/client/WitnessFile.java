package org.udpknock.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A file that another program appends to when it opens for a source: one line
 * {@code ADDRESS EPOCH_NANOS} (more fields may follow), e.g. knockd's door command
 * {@code echo %IP% $(date +%s%N) >> FILE}. Read incrementally; only complete lines count, and for
 * an address seen twice the first line counts. Lines that do not have this form are ignored.
 */
public final class WitnessFile {
  private static final long POLL_NANOS = 1_000_000L;
  private static final int MAX_LINE_BYTES = 4096;

  private final Path path;
  private final Map<String, Long> firstSeen = new HashMap<>();
  private long offset;

  public WitnessFile(Path path) {
    this.path = path;
  }

  /**
   * Waits until the file has a line for {@code address} (as {@link java.net.InetAddress#getHostAddress}
   * writes it), polling every millisecond; the poll only paces the wait, the time is the line's own.
   *
   * @return the line's epoch nanoseconds, or empty if none came within {@code timeoutNanos}
   */
  public OptionalLong await(String address, long timeoutNanos) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (true) {
      readNewLines();
      Long time = firstSeen.get(address);
      if (time != null) {
        return OptionalLong.of(time);
      }
      if (System.nanoTime() - deadline >= 0) {
        return OptionalLong.empty();
      }
      LockSupport.parkNanos(POLL_NANOS);
      if (Thread.interrupted()) {
        throw new InterruptedException();
      }
    }
  }

  /** Reads the complete lines appended since the last read; a partial last line waits for its end. */
  void readNewLines() throws IOException {
    byte[] bytes;
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < offset) {
        offset = 0; // Truncated and rewritten: start over.
      }
      if (size == offset) {
        return;
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(Integer.MAX_VALUE - 8, size - offset));
      while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) > 0) {
        // Read what is there now.
      }
      bytes = new byte[buffer.position()];
      buffer.flip().get(bytes);
    } catch (NoSuchFileException e) {
      return; // Not written yet.
    }
    int lineStart = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        if (i - lineStart <= MAX_LINE_BYTES) {
          parse(new String(bytes, lineStart, i - lineStart, StandardCharsets.UTF_8));
        }
        lineStart = i + 1;
      }
    }
    offset += lineStart;
  }

  private void parse(String line) {
    String[] fields = line.trim().split("\\s+");
    if (fields.length < 2 || !fields[1].matches("\\d{1,19}")) {
      return;
    }
    try {
      firstSeen.putIfAbsent(fields[0], Long.parseLong(fields[1]));
    } catch (NumberFormatException e) {
      // Past Long.MAX_VALUE: not a time.
    }
  }
}
