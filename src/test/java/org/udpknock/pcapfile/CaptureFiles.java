package org.udpknock.pcapfile;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/** Helpers shared by the capture-file tests. */
final class CaptureFiles {
  private CaptureFiles() {}

  /** A frame copied out of the reused {@link Frame}. */
  record ReadFrame(long timeNanos, int timeDigits, int linkType, byte[] data, int originalLength) {
    int capturedLength() {
      return data.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ReadFrame f && timeNanos == f.timeNanos && timeDigits == f.timeDigits
          && linkType == f.linkType && Arrays.equals(data, f.data)
          && originalLength == f.originalLength;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(timeNanos) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "ReadFrame[time=" + timeNanos + ", digits=" + timeDigits + ", linkType=" + linkType
          + ", caplen=" + data.length + ", len=" + originalLength + ", data="
          + HexFormat.of().formatHex(data, 0, Math.min(data.length, 32)) + "]";
    }
  }

  /** Decodes hex, ignoring whitespace: {@code hex("a1b2 c3d4", "0200")}. */
  static byte[] hex(String... parts) {
    return HexFormat.of().parseHex(String.join("", parts).replaceAll("\\s+", ""));
  }

  static CaptureFileReader open(byte[] file) throws IOException {
    return CaptureFileReader.open(new ByteArrayInputStream(file), "test.pcap");
  }

  static List<ReadFrame> readAll(byte[] file) throws IOException {
    return readAll(CaptureFileReader.open(new ByteArrayInputStream(file), "test.pcap"));
  }

  /** Reads through a 64-byte buffer, so that records straddle buffer refills. */
  static List<ReadFrame> readAllSmallBuffer(byte[] file) throws IOException {
    return readAll(CaptureFileReader.open(new ByteArrayInputStream(file), "test.pcap", 64));
  }

  static List<ReadFrame> readAll(Path file) throws IOException {
    return readAll(CaptureFileReader.open(file));
  }

  static List<ReadFrame> readAll(CaptureFileReader reader) throws IOException {
    List<ReadFrame> frames = new ArrayList<>();
    try (reader) {
      Frame frame = new Frame();
      frame.data = new byte[16]; // small, so that reading must grow it
      while (reader.next(frame)) {
        frames.add(copy(frame));
      }
      if (reader.next(frame)) {
        throw new AssertionError("next() returned true after returning false");
      }
    }
    return frames;
  }

  static ReadFrame copy(Frame frame) {
    return new ReadFrame(frame.timeNanos, frame.timeDigits, frame.linkType,
        frame.bytes(), frame.originalLength);
  }

  static Path write(Path dir, String name, byte[] content) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, content);
    return file;
  }
}
