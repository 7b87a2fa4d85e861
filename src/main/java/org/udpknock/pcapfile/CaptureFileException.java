package org.udpknock.pcapfile;

import java.io.IOException;

/** A file that is not a capture file, or whose structure is broken beyond one record. */
public final class CaptureFileException extends IOException {
  public CaptureFileException(String message) {
    super(message);
  }
}
