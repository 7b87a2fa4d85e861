package org.udpknock.report;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Standard output for events, which does not hide its write errors. PrintWriter and PrintStream
 * swallow them ({@code checkError}), so {@code replay > /dev/full} used to exit 0 and a server
 * with a full disk logged nothing without a word. The JVM ignores SIGPIPE, so a reader that went
 * away ({@code | head -1}) shows up here as a write failing with EPIPE.
 *
 * <p>A failed write is dropped, not kept for later, so the buffers above stay clean and the next
 * flush tries afresh with new lines: the lines in a failed write (its newlines) are counted as
 * lost, and the output counts as failing until a write succeeds again. Nothing here costs a system call:
 * the writer is buffered, and errors are read where the owner flushes anyway.
 */
public final class EventOutput extends PrintWriter {
  private final Stream stream;

  private EventOutput(Stream stream, int bufferSize) {
    super(new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), bufferSize));
    this.stream = stream;
  }

  /** Events to {@code out} (e.g. standard output), buffered in {@code bufferSize} characters. */
  public static EventOutput over(OutputStream out, int bufferSize) {
    return new EventOutput(new Stream(out), bufferSize);
  }

  /** Whether the last write failed: the output is losing lines now. */
  public boolean isFailing() {
    return stream.failing;
  }

  /** The last write failure, even if writes succeed again since; null if none ever failed. */
  public IOException lastFailure() {
    return stream.lastFailure;
  }

  /** Whether any write ever failed. */
  public boolean everFailed() {
    return stream.lastFailure != null;
  }

  /** Lines lost in failed writes, since the start. */
  public long lostLines() {
    return stream.lostLines.get();
  }

  /** True when a write failed, here or in a PrintWriter above: flushes first, as PrintWriter does. */
  @Override
  public boolean checkError() {
    return super.checkError() || everFailed();
  }

  /** Keeps failures instead of throwing them; only its PrintWriter writes to it, under its lock. */
  private static final class Stream extends OutputStream {
    private final OutputStream out;
    private final AtomicLong lostLines = new AtomicLong();
    private volatile IOException lastFailure;
    private volatile boolean failing;

    Stream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      try {
        out.write(bytes, offset, length);
        failing = false;
      } catch (IOException e) {
        failed(e, newlines(bytes, offset, length));
      }
    }

    @Override
    public void flush() {
      try {
        out.flush();
      } catch (IOException e) {
        failed(e, 0);
      }
    }

    @Override
    public void close() throws IOException {
      out.close();
    }

    private void failed(IOException e, long lines) {
      lastFailure = e;
      failing = true;
      lostLines.addAndGet(lines);
    }

    private static long newlines(byte[] bytes, int offset, int length) {
      long count = 0;
      for (int i = offset; i < offset + length; i++) {
        if (bytes[i] == '\n') {
          count++;
        }
      }
      return count;
    }
  }
}
