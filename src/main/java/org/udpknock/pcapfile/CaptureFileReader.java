package org.udpknock.pcapfile;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads pcap (microsecond or nanosecond, either byte order) and pcapng files in pure Java:
 * faster than libpcap through pcap4j, with nanosecond timestamps, and without dying on a bad
 * record.
 *
 * <pre>{@code
 * Frame frame = new Frame();
 * try (CaptureFileReader reader = CaptureFileReader.open(path)) {
 *   while (reader.next(frame)) {
 *     handle(frame.timeNanos, frame.linkType, frame.data, frame.offset, frame.capturedLength);
 *   }
 * }
 * }</pre>
 *
 * <p>What a damaged file gives:
 *
 * <ul>
 *   <li>not a capture file (empty, unknown magic, header cut short): {@link CaptureFileException}
 *       from {@code open};
 *   <li>a file that ends inside a packet's data: that packet with the bytes present ({@code
 *       capturedLength} less than the record says), then the end; a file that ends inside a
 *       record header or any other block: the end, silently;
 *   <li>odd but framed records (a pcap fraction of a second >= 1 s, which is carried into the
 *       seconds; caplen 0; a pcapng packet of an undescribed interface, with link type {@link
 *       Frame#UNKNOWN_LINK_TYPE}; a pcapng captured length past its block, trimmed to the block):
 *       frames;
 *   <li>broken framing (a captured length above {@link #MAX_CAPTURED_LENGTH}, a bad pcapng block
 *       length): {@link CaptureFileException} from {@code next}, naming the record or block and
 *       its byte offset.
 * </ul>
 *
 * Not thread-safe. Reading allocates nothing per record, except a larger {@link Frame#data} when
 * a record does not fit.
 */
public final class CaptureFileReader implements Closeable {
  /** The largest captured length accepted (16 MiB); larger ones are taken as damage. */
  public static final int MAX_CAPTURED_LENGTH = 16 << 20;

  private final InputBuffer in;
  private final RecordSource records;

  private CaptureFileReader(InputBuffer in, RecordSource records) {
    this.in = in;
    this.records = records;
  }

  /** Opens a file and reads its header; throws {@link CaptureFileException} if it is not a capture. */
  public static CaptureFileReader open(Path path) throws IOException {
    return open(Files.newInputStream(path), path.toString());
  }

  /**
   * Reads from a stream (used by tests); reads the header at once. The reader owns the stream:
   * it is closed by {@link #close()}, or at once if this throws. {@code name} is for messages.
   */
  public static CaptureFileReader open(InputStream in, String name) throws IOException {
    return open(in, name, InputBuffer.DEFAULT_SIZE);
  }

  /** As {@link #open(InputStream, String)}, with a buffer size (tests use small ones). */
  static CaptureFileReader open(InputStream in, String name, int bufferSize) throws IOException {
    if (bufferSize < 64) {
      throw new IllegalArgumentException("bufferSize < 64: " + bufferSize);
    }
    InputBuffer buffer = new InputBuffer(in, bufferSize);
    try {
      return new CaptureFileReader(buffer, openFormat(buffer, name));
    } catch (IOException | RuntimeException | Error e) {
      try {
        buffer.close();
      } catch (IOException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /** Recognises the format by the first four bytes and reads the file header. */
  private static RecordSource openFormat(InputBuffer in, String name) throws IOException {
    int available = in.fill(4);
    if (available < 4) {
      throw CaptureFileException.notACaptureFile(
          name, available == 0 ? "it is empty" : "it has only " + available + " bytes");
    }
    int magic = Bytes.int32(in.buf, in.pos, true);
    int swapped = Integer.reverseBytes(magic);
    if (magic == PcapFormat.MAGIC_MICROSECONDS || swapped == PcapFormat.MAGIC_MICROSECONDS) {
      return PcapRecordSource.open(in, name, magic == PcapFormat.MAGIC_MICROSECONDS, false);
    }
    if (magic == PcapFormat.MAGIC_NANOSECONDS || swapped == PcapFormat.MAGIC_NANOSECONDS) {
      return PcapRecordSource.open(in, name, magic == PcapFormat.MAGIC_NANOSECONDS, true);
    }
    if (magic == PcapNgFormat.SECTION_HEADER_BLOCK) {
      return PcapNgBlockSource.open(in, name);
    }
    throw CaptureFileException.notACaptureFile(name, String.format("unknown magic 0x%08x", magic));
  }

  /**
   * Reads the next frame into {@code frame}; returns false at the end of the file (and on every
   * call after). Throws only {@link CaptureFileException} (broken framing) or IOException.
   */
  public boolean next(Frame frame) throws IOException {
    return records.next(frame);
  }

  /** Closes the file or stream. */
  @Override
  public void close() throws IOException {
    in.close();
  }
}
