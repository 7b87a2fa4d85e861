package org.udpknock.pcapfile;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Reads pcap (microsecond or nanosecond, either byte order) and pcapng files in pure Java.
 * TODO: helper A.
 */
public final class CaptureFileReader implements Closeable {

  /** Opens a file and reads its header; throws {@link CaptureFileException} if it is not a capture. */
  public static CaptureFileReader open(Path path) throws IOException {
    throw new UnsupportedOperationException("TODO: helper A");
  }

  /** Reads from a stream (used by tests); reads the header at once. */
  public static CaptureFileReader open(InputStream in, String name) throws IOException {
    throw new UnsupportedOperationException("TODO: helper A");
  }

  /** Reads the next frame into {@code frame}; returns false at the end of the file. */
  public boolean next(Frame frame) throws IOException {
    throw new UnsupportedOperationException("TODO: helper A");
  }

  @Override
  public void close() throws IOException {}
}
