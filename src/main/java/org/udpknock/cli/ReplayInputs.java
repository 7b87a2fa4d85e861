package org.udpknock.cli;

import java.io.File;
import java.io.FileInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.udpknock.pcapfile.CaptureFileException;
import org.udpknock.pcapfile.CaptureFileReader;

/**
 * Opens replay's inputs: files, FIFOs, {@code /dev/fd} paths, or {@code -} for standard input.
 * Each is opened once, and all before the first is replayed, so that a missing or broken one
 * stops the replay before any output; opening reads only the header, so a stream loses nothing.
 * Before each read that may wait for input, {@code beforeRead} runs: the replay flushes its
 * events there, so that {@code tcpdump -U -w - | udpknock replay -} shows each knock as it comes.
 */
final class ReplayInputs {
  static final String STANDARD_INPUT = "-";

  private ReplayInputs() {}

  /** The opened inputs, in order; throws a {@link UserError} (and closes them all) if one fails. */
  static List<CaptureFileReader> open(List<Path> inputs, InputStream stdin, Runnable beforeRead) {
    if (inputs.stream().filter(ReplayInputs::isStandardInput).count() > 1) {
      throw new UserError(ExitCodes.USAGE, "'-' (standard input) can be given only once");
    }
    List<CaptureFileReader> readers = new ArrayList<>();
    try {
      for (Path input : inputs) {
        readers.add(open(input, stdin, beforeRead));
      }
      return readers;
    } catch (RuntimeException e) {
      closeAll(readers);
      throw e;
    }
  }

  /** What one read of an input takes (the reader's buffer, InputBuffer's default). */
  static final long ONE_READ_BYTES = 1 << 20;

  /**
   * Whether the inputs hold more than one read: a second thread reading ahead has nothing to
   * overlap with otherwise, and its start and hand-offs were a few milliseconds of a small
   * replay. Standard input, a FIFO or anything but a regular file may hold any amount: true.
   */
  static boolean moreThanOneRead(List<Path> inputs) {
    long bytes = 0;
    for (Path input : inputs) {
      File file = input.toFile();
      if (isStandardInput(input) || !file.isFile()) {
        return true;
      }
      bytes += file.length();
    }
    return bytes > ONE_READ_BYTES;
  }

  static void closeAll(List<CaptureFileReader> readers) {
    for (CaptureFileReader reader : readers) {
      try {
        reader.close();
      } catch (IOException e) {
        // Read to the end or abandoned: nothing is lost by a failed close.
      }
    }
  }

  private static CaptureFileReader open(Path input, InputStream stdin, Runnable beforeRead) {
    String name = isStandardInput(input) ? "standard input" : input.toString();
    try {
      InputStream stream = isStandardInput(input) ? notClosing(stdin) : openFile(input);
      return CaptureFileReader.open(runningBeforeReads(stream, beforeRead), name);
    } catch (CaptureFileException e) {
      throw new UserError(ExitCodes.FAILURE, e.getMessage());
    } catch (IOException e) {
      throw new UserError(ExitCodes.FAILURE, name + " could not be read: " + e.getMessage() + ".");
    }
  }

  /** Opens a file (a FIFO waits here for its writer), with a sentence for each way it can fail. */
  private static InputStream openFile(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new UserError(ExitCodes.FAILURE, file + ": no such file; give the path of a pcap or pcapng capture.");
    }
    if (Files.isDirectory(file)) {
      throw new UserError(ExitCodes.FAILURE, file + " is a directory; give the path of a pcap or pcapng capture.");
    }
    if (!Files.isReadable(file)) {
      throw new UserError(ExitCodes.FAILURE, file + " is not readable; check its permissions.");
    }
    return new FileInputStream(file.toFile()); // Not Files.newInputStream: NIO loads and links its native library, ~3 ms of a start.
  }

  private static boolean isStandardInput(Path input) {
    return input.toString().equals(STANDARD_INPUT);
  }

  /** Standard input belongs to the process: the reader's close must not close it. */
  private static InputStream notClosing(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public void close() {}
    };
  }

  private static InputStream runningBeforeReads(InputStream in, Runnable beforeRead) {
    return new FilterInputStream(in) {
      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        beforeRead.run();
        return super.read(buffer, offset, length);
      }
    };
  }
}
