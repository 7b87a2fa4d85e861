package org.udpknock.pcapfile;

import static org.udpknock.pcapfile.PcapFormat.CAPTURED_LENGTH_OFFSET;
import static org.udpknock.pcapfile.PcapFormat.FRACTION_OFFSET;
import static org.udpknock.pcapfile.PcapFormat.GLOBAL_HEADER_LENGTH;
import static org.udpknock.pcapfile.PcapFormat.LINK_TYPE_MASK;
import static org.udpknock.pcapfile.PcapFormat.LINK_TYPE_OFFSET;
import static org.udpknock.pcapfile.PcapFormat.ORIGINAL_LENGTH_OFFSET;
import static org.udpknock.pcapfile.PcapFormat.RECORD_HEADER_LENGTH;
import static org.udpknock.pcapfile.PcapFormat.SECONDS_OFFSET;

import java.io.IOException;
import jdk.internal.vm.annotation.Contended;

/**
 * Records of a classic pcap file. See {@link PcapFormat} for the layout.
 *
 * <p>Damage is handled so that one bad record never stops a replay:
 *
 * <ul>
 *   <li>a fraction of {@code >= 10^6} µs (or {@code 10^9} ns) is carried into the seconds;
 *   <li>a record with caplen 0 is a frame with {@code capturedLength} 0;
 *   <li>a file ending inside a record's data gives that record with the bytes present, then ends;
 *       a file ending inside a record header just ends;
 *   <li>only a captured length above {@link CaptureFileReader#MAX_CAPTURED_LENGTH} throws: the
 *       file has no other framing, so nothing after such a record can be trusted.
 * </ul>
 *
 * Unlike libpcap, a captured length above the header's snaplen is kept as it is.
 */
// Padded from its neighbours in memory (false sharing): written at every frame by
// the thread that reads a capture; see BatchedReplay.
@Contended
final class PcapRecordSource implements RecordSource {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final InputBuffer in;
  private final String name;
  private final boolean bigEndian;
  /** 1000 for a microsecond file, 1 for a nanosecond file. */
  private final long nanosPerFractionUnit;
  private final int timeDigits;
  private final int linkType;
  private long recordNumber;
  private boolean ended;

  private PcapRecordSource(
      InputBuffer in, String name, boolean bigEndian, boolean nanosecond, int linkType) {
    this.in = in;
    this.name = name;
    this.bigEndian = bigEndian;
    this.nanosPerFractionUnit = nanosecond ? 1 : 1000;
    this.timeDigits = nanosecond ? 9 : 6;
    this.linkType = linkType;
  }

  /** Reads the global header; the magic has been recognised, so a short file is a cut-off one. */
  static PcapRecordSource open(InputBuffer in, String name, boolean bigEndian, boolean nanosecond)
      throws IOException {
    int available = in.fill(GLOBAL_HEADER_LENGTH);
    if (available < GLOBAL_HEADER_LENGTH) {
      throw new CaptureFileException(
          name + " is not a complete pcap capture file (its " + GLOBAL_HEADER_LENGTH
              + "-byte header ends after " + available + " bytes).");
    }
    int linkType = Bytes.int32(in.buf, in.pos + LINK_TYPE_OFFSET, bigEndian) & LINK_TYPE_MASK;
    in.pos += GLOBAL_HEADER_LENGTH;
    return new PcapRecordSource(in, name, bigEndian, nanosecond, linkType);
  }

  @Override
  public boolean next(Frame frame) throws IOException {
    if (ended) {
      return false;
    }
    if (in.fill(RECORD_HEADER_LENGTH) < RECORD_HEADER_LENGTH) {
      ended = true; // the end of the file, or a record header cut short: nothing to return
      return false;
    }
    recordNumber++;
    long recordOffset = in.offset();
    byte[] b = in.buf;
    int p = in.pos;
    long seconds = Bytes.uint32(b, p + SECONDS_OFFSET, bigEndian);
    long fraction = Bytes.uint32(b, p + FRACTION_OFFSET, bigEndian);
    long capturedLength = Bytes.uint32(b, p + CAPTURED_LENGTH_OFFSET, bigEndian);
    long originalLength = Bytes.uint32(b, p + ORIGINAL_LENGTH_OFFSET, bigEndian);
    if (capturedLength > CaptureFileReader.MAX_CAPTURED_LENGTH) {
      throw CaptureFileException.damaged(name, "record", recordNumber, recordOffset,
          "its captured length " + capturedLength + " exceeds the limit of "
              + CaptureFileReader.MAX_CAPTURED_LENGTH + " bytes");
    }
    in.pos = p + RECORD_HEADER_LENGTH;

    // Both fields are unsigned 32-bit, so this cannot overflow (at most about 4.3e18).
    frame.timeNanos = seconds * NANOS_PER_SECOND + fraction * nanosPerFractionUnit;
    frame.timeDigits = timeDigits;
    frame.linkType = linkType;
    frame.interfaceId = 0;
    frame.originalLength = Bytes.clampToInt(originalLength);
    readData(frame, (int) capturedLength);
    return true;
  }

  /** The record's data: in place in the buffer when it fits there whole, else copied, as far as the file goes. */
  private void readData(Frame frame, int capturedLength) throws IOException {
    if (capturedLength <= in.size() && in.fill(capturedLength) == capturedLength) {
      frame.view(in.buf, in.pos, capturedLength);
      in.pos += capturedLength;
      return;
    }
    int present = in.read(frame.dataWithCapacity(capturedLength), 0, capturedLength);
    frame.capturedLength = present;
    if (present < capturedLength) {
      ended = true; // the last record is cut short: hand out what there is, then end
    }
  }
}
