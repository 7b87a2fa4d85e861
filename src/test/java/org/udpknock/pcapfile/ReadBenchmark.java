package org.udpknock.pcapfile;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prints how fast {@link CaptureFileReader} reads 74-byte records from pcap and pcapng files
 * (in the page cache, warm JVM). Not a test: speed does not belong in unit tests. Run with
 *
 * <pre>
 * mvn -q -o test-compile
 * java -cp target/classes:target/test-classes org.udpknock.pcapfile.ReadBenchmark [records]
 * </pre>
 */
public final class ReadBenchmark {
  private static final int FRAME_LENGTH = 74;
  private static final int ROUNDS = 5;

  public static void main(String[] args) throws IOException {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 5_000_000;
    Path dir = Files.createTempDirectory("udpknock-bench");
    try {
      Path pcap = dir.resolve("bench.pcap");
      Path pcapng = dir.resolve("bench.pcapng");
      writePcap(pcap, records);
      writePcapNg(pcapng, records);
      measure(pcap, records);
      measure(pcapng, records);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path file : (Iterable<Path>) files::iterator) {
          Files.delete(file);
        }
      }
      Files.delete(dir);
    }
  }

  private static void measure(Path file, int records) throws IOException {
    Frame frame = new Frame();
    for (int round = 1; round <= ROUNDS; round++) {
      long checksum = 0;
      int count = 0;
      long start = System.nanoTime();
      try (CaptureFileReader reader = CaptureFileReader.open(file)) {
        while (reader.next(frame)) {
          checksum += frame.timeNanos + frame.data[frame.offset + frame.capturedLength - 1];
          count++;
        }
      }
      long elapsed = System.nanoTime() - start;
      if (count != records) {
        throw new AssertionError(file + ": read " + count + " of " + records + " records");
      }
      System.out.printf("%s round %d: %,d records in %d ms = %.2f M records/s (checksum %d)%n",
          file.getFileName(), round, count, elapsed / 1_000_000,
          count * 1e3 / elapsed, checksum);
    }
  }

  private static byte[] frameData() {
    byte[] data = new byte[FRAME_LENGTH];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) i;
    }
    return data;
  }

  private static void writePcap(Path file, int records) throws IOException {
    byte[] data = frameData();
    try (OutputStream out = Files.newOutputStream(file);
        PcapWriter writer = new PcapWriter(out, 1, true, ByteOrder.LITTLE_ENDIAN, 65535)) {
      for (int i = 0; i < records; i++) {
        writer.write(1_700_000_000_000_000_000L + i * 1_000L, data, 0, data.length, data.length);
      }
    }
  }

  private static void writePcapNg(Path file, int records) throws IOException {
    byte[] data = frameData();
    try (OutputStream out = Files.newOutputStream(file);
        PcapNgWriter writer = new PcapNgWriter(out, ByteOrder.LITTLE_ENDIAN)) {
      int id = writer.addInterface(1, 65535, 9);
      for (int i = 0; i < records; i++) {
        writer.write(id, 1_700_000_000_000_000_000L + i * 1_000L, data, 0, data.length,
            data.length);
      }
    }
  }
}
