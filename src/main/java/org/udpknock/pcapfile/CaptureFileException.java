package org.udpknock.pcapfile;

import java.io.IOException;

/** A file that is not a capture file, or whose structure is broken beyond one record. */
public final class CaptureFileException extends IOException {
  private static final long serialVersionUID = 1L;

  public CaptureFileException(String message) {
    super(message);
  }

  /** E.g. "x.bin is not a pcap or pcapng capture file (unknown magic 0x7f454c46)." */
  static CaptureFileException notACaptureFile(String name, String reason) {
    return new CaptureFileException(name + " is not a pcap or pcapng capture file (" + reason + ").");
  }

  /** E.g. "x.pcap is damaged at record 17 (byte offset 4242): its captured length ...". */
  static CaptureFileException damaged(
      String name, String unit, long number, long byteOffset, String problem) {
    return new CaptureFileException(
        name + " is damaged at " + unit + " " + number + " (byte offset " + byteOffset + "): "
            + problem + ".");
  }
}
