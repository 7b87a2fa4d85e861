package org.udpknock.pcapfile;

import static org.udpknock.pcapfile.PcapNgFormat.BLOCK_HEADER_LENGTH;
import static org.udpknock.pcapfile.PcapNgFormat.BLOCK_TRAILER_LENGTH;
import static org.udpknock.pcapfile.PcapNgFormat.BYTE_ORDER_MAGIC;
import static org.udpknock.pcapfile.PcapNgFormat.ENHANCED_PACKET_BLOCK;
import static org.udpknock.pcapfile.PcapNgFormat.ENHANCED_PACKET_FIXED_LENGTH;
import static org.udpknock.pcapfile.PcapNgFormat.IF_TSOFFSET;
import static org.udpknock.pcapfile.PcapNgFormat.IF_TSRESOL;
import static org.udpknock.pcapfile.PcapNgFormat.INTERFACE_DESCRIPTION_BLOCK;
import static org.udpknock.pcapfile.PcapNgFormat.INTERFACE_DESCRIPTION_FIXED_LENGTH;
import static org.udpknock.pcapfile.PcapNgFormat.MIN_BLOCK_LENGTH;
import static org.udpknock.pcapfile.PcapNgFormat.OPTION_HEADER_LENGTH;
import static org.udpknock.pcapfile.PcapNgFormat.OPT_ENDOFOPT;
import static org.udpknock.pcapfile.PcapNgFormat.PACKET_BLOCK;
import static org.udpknock.pcapfile.PcapNgFormat.PACKET_FIXED_LENGTH;
import static org.udpknock.pcapfile.PcapNgFormat.SECTION_HEADER_BLOCK;
import static org.udpknock.pcapfile.PcapNgFormat.SECTION_HEADER_FIXED_LENGTH;
import static org.udpknock.pcapfile.PcapNgFormat.SIMPLE_PACKET_BLOCK;
import static org.udpknock.pcapfile.PcapNgFormat.SIMPLE_PACKET_FIXED_LENGTH;
import static org.udpknock.pcapfile.PcapNgFormat.VERSION_MAJOR;
import static org.udpknock.pcapfile.PcapNgFormat.padded;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import jdk.internal.vm.annotation.Contended;

/**
 * Packets of a pcapng file. See {@link PcapNgFormat} for the layout.
 *
 * <p>Blocks other than section headers, interface descriptions and the three packet blocks are
 * skipped by their length. What is damage and what is not:
 *
 * <ul>
 *   <li>a block total length that is not a multiple of 4, too short for the block's fixed fields,
 *       or not repeated at the block's end throws {@link CaptureFileException}: the framing is
 *       broken, so nothing after it can be trusted;
 *   <li>a packet whose captured length runs past its block is trimmed to the block (the framing
 *       held, so it is the length that is wrong); one above {@link
 *       CaptureFileReader#MAX_CAPTURED_LENGTH} throws;
 *   <li>a packet naming an interface that was never described is a frame with link type {@link
 *       Frame#UNKNOWN_LINK_TYPE} and microsecond timestamps;
 *   <li>a malformed option in an interface description (one that overruns the block) ends its
 *       option list: the rest is ignored;
 *   <li>a file ending inside a packet's data gives that packet with the bytes present, then
 *       ends; a file ending anywhere else inside a block just ends.
 * </ul>
 *
 * Timestamps too late for a long of nanoseconds (after the year 2262) are clamped to
 * {@code Long.MAX_VALUE}.
 */
// Padded from its neighbours in memory (false sharing): written at every frame by
// the thread that reads a capture; see BatchedReplay.
@Contended
final class PcapNgBlockSource implements RecordSource {
  /** A bound on memory for a damaged file that describes interfaces without end. */
  static final int MAX_INTERFACES_PER_SECTION = 1 << 16;

  private final InputBuffer in;
  private final String name;
  private boolean bigEndian;
  /** The interfaces of the current section, by id. */
  private final List<Interface> interfaces = new ArrayList<>();
  private long blockNumber;
  private long blockOffset;
  /** A Simple Packet Block has no timestamp: it gets the time of the packet before it. */
  private long lastTimeNanos;
  private boolean ended;

  /** What an Interface Description Block says about the packets of one interface. */
  private static final class Interface {
    final int linkType;
    /** 0: no limit. */
    final long snaplen;
    TimestampResolution resolution = TimestampResolution.MICROSECONDS;
    /** if_tsoffset: seconds to add to every timestamp, in nanoseconds. */
    long offsetNanos;

    Interface(int linkType, long snaplen) {
      this.linkType = linkType;
      this.snaplen = snaplen;
    }
  }

  private PcapNgBlockSource(InputBuffer in, String name) {
    this.in = in;
    this.name = name;
  }

  /** Reads the first Section Header Block, whose type has been recognised. */
  static PcapNgBlockSource open(InputBuffer in, String name) throws IOException {
    int minimum = BLOCK_HEADER_LENGTH + SECTION_HEADER_FIXED_LENGTH + BLOCK_TRAILER_LENGTH;
    int available = in.fill(minimum);
    if (available < minimum) {
      throw new CaptureFileException(
          name + " is not a complete pcapng capture file (its section header block ends after "
              + available + " bytes).");
    }
    PcapNgBlockSource source = new PcapNgBlockSource(in, name);
    source.readBlock(null);
    return source;
  }

  @Override
  public boolean next(Frame frame) throws IOException {
    while (!ended) {
      if (readBlock(frame)) {
        return true;
      }
    }
    return false;
  }

  /** Reads one block; returns true if it was a packet, now in {@code frame}. */
  private boolean readBlock(Frame frame) throws IOException {
    blockOffset = in.offset();
    if (in.fill(BLOCK_HEADER_LENGTH) < BLOCK_HEADER_LENGTH) {
      ended = true; // the end of the file, or a block header cut short
      return false;
    }
    blockNumber++;
    int type = Bytes.int32(in.buf, in.pos, bigEndian);
    if (type == SECTION_HEADER_BLOCK) {
      readSectionHeader(); // its byte order, and so its length, is only known from its body
      return false;
    }
    long totalLength = Bytes.uint32(in.buf, in.pos + 4, bigEndian);
    long bodyLength = checkedBodyLength(type, totalLength);
    in.pos += BLOCK_HEADER_LENGTH;
    switch (type) {
      case ENHANCED_PACKET_BLOCK:
        return readPacket(frame, bodyLength, totalLength, false);
      case SIMPLE_PACKET_BLOCK:
        return readSimplePacket(frame, bodyLength, totalLength);
      case PACKET_BLOCK:
        return readPacket(frame, bodyLength, totalLength, true);
      case INTERFACE_DESCRIPTION_BLOCK:
        readInterfaceDescription(bodyLength, totalLength);
        return false;
      default:
        finishBlock(bodyLength, totalLength);
        return false;
    }
  }

  /** Starts a new section: a new byte order, and no interfaces yet. */
  private void readSectionHeader() throws IOException {
    if (in.fill(BLOCK_HEADER_LENGTH + SECTION_HEADER_FIXED_LENGTH)
        < BLOCK_HEADER_LENGTH + SECTION_HEADER_FIXED_LENGTH) {
      ended = true;
      return;
    }
    byte[] b = in.buf;
    int p = in.pos;
    int magic = Bytes.int32(b, p + BLOCK_HEADER_LENGTH, true);
    if (magic == BYTE_ORDER_MAGIC || Integer.reverseBytes(magic) == BYTE_ORDER_MAGIC) {
      bigEndian = magic == BYTE_ORDER_MAGIC;
    } else {
      throw damaged(String.format(
          "its byte-order magic 0x%08x is neither 1a2b3c4d nor 4d3c2b1a", magic));
    }
    int major = Bytes.uint16(b, p + BLOCK_HEADER_LENGTH + 4, bigEndian);
    if (major != VERSION_MAJOR) {
      throw damaged("its section header has pcapng major version " + major + ", not 1");
    }
    long totalLength = Bytes.uint32(b, p + 4, bigEndian);
    long bodyLength = checkedBodyLength(SECTION_HEADER_BLOCK, totalLength);
    interfaces.clear();
    in.pos += BLOCK_HEADER_LENGTH;
    finishBlock(bodyLength, totalLength);
  }

  private void readInterfaceDescription(long bodyLength, long totalLength) throws IOException {
    if (in.fill(INTERFACE_DESCRIPTION_FIXED_LENGTH) < INTERFACE_DESCRIPTION_FIXED_LENGTH) {
      ended = true;
      return;
    }
    int linkType = Bytes.uint16(in.buf, in.pos, bigEndian);
    long snaplen = Bytes.uint32(in.buf, in.pos + 4, bigEndian);
    in.pos += INTERFACE_DESCRIPTION_FIXED_LENGTH;
    Interface described = new Interface(linkType, snaplen);
    long left = readInterfaceOptions(described, bodyLength - INTERFACE_DESCRIPTION_FIXED_LENGTH);
    if (left < 0) {
      ended = true;
      return;
    }
    if (interfaces.size() >= MAX_INTERFACES_PER_SECTION) {
      throw damaged("it describes more than " + MAX_INTERFACES_PER_SECTION
          + " interfaces in one section");
    }
    interfaces.add(described);
    finishBlock(left, totalLength);
  }

  /**
   * Reads the options of an interface description into {@code described}; returns how many
   * bytes of the body are left after the ones read, or -1 if the file ended.
   */
  private long readInterfaceOptions(Interface described, long left) throws IOException {
    while (left >= OPTION_HEADER_LENGTH) {
      if (in.fill(OPTION_HEADER_LENGTH) < OPTION_HEADER_LENGTH) {
        return -1;
      }
      int code = Bytes.uint16(in.buf, in.pos, bigEndian);
      int length = Bytes.uint16(in.buf, in.pos + 2, bigEndian);
      long paddedLength = padded(length);
      if (code == OPT_ENDOFOPT || OPTION_HEADER_LENGTH + paddedLength > left) {
        break; // the end of the list, or an option that overruns the block: ignore the rest
      }
      in.pos += OPTION_HEADER_LENGTH;
      left -= OPTION_HEADER_LENGTH;
      int present = in.fill(Math.min(length, 8));
      if (code == IF_TSRESOL && length >= 1 && present >= 1) {
        described.resolution = TimestampResolution.fromTsresol(in.buf[in.pos] & 0xFF);
      } else if (code == IF_TSOFFSET && length >= 8 && present >= 8) {
        long seconds = Bytes.int64(in.buf, in.pos, bigEndian);
        described.offsetNanos = TimestampResolution.secondsToNanosClamped(seconds);
      }
      if (in.skip(paddedLength) < paddedLength) {
        return -1;
      }
      left -= paddedLength;
    }
    return left;
  }

  /**
   * An Enhanced Packet Block (type 6), or the obsolete Packet Block (type 2), which has the same
   * layout but for a 16-bit interface id followed by a drop count where the EPB has 32 bits.
   */
  private boolean readPacket(Frame frame, long bodyLength, long totalLength, boolean obsolete)
      throws IOException {
    int fixedLength = obsolete ? PACKET_FIXED_LENGTH : ENHANCED_PACKET_FIXED_LENGTH;
    if (in.fill(fixedLength) < fixedLength) {
      ended = true;
      return false;
    }
    byte[] b = in.buf;
    int p = in.pos;
    int interfaceId = obsolete ? Bytes.uint16(b, p, bigEndian) : Bytes.int32(b, p, bigEndian);
    long units = Bytes.uint32(b, p + 4, bigEndian) << 32 | Bytes.uint32(b, p + 8, bigEndian);
    long capturedLength = Bytes.uint32(b, p + 12, bigEndian);
    long originalLength = Bytes.uint32(b, p + 16, bigEndian);
    in.pos = p + fixedLength;
    describe(frame, interfaceOrNull(interfaceId), units);
    frame.interfaceId = interfaceId;
    return readPacketData(frame, capturedLength, originalLength, bodyLength - fixedLength,
        totalLength);
  }

  /**
   * A Simple Packet Block: interface 0, no timestamp (the previous packet's time is used), and
   * a captured length that is the smallest of the original length, the block and the snaplen.
   */
  private boolean readSimplePacket(Frame frame, long bodyLength, long totalLength)
      throws IOException {
    if (in.fill(SIMPLE_PACKET_FIXED_LENGTH) < SIMPLE_PACKET_FIXED_LENGTH) {
      ended = true;
      return false;
    }
    long originalLength = Bytes.uint32(in.buf, in.pos, bigEndian);
    in.pos += SIMPLE_PACKET_FIXED_LENGTH;
    Interface first = interfaceOrNull(0);
    long capturedLength = originalLength;
    if (first != null && first.snaplen != 0) {
      capturedLength = Math.min(capturedLength, first.snaplen);
    }
    frame.timeNanos = lastTimeNanos;
    frame.timeDigits = first == null ? TimestampResolution.MICROSECONDS.digits
        : first.resolution.digits;
    frame.linkType = first == null ? Frame.UNKNOWN_LINK_TYPE : first.linkType;
    frame.interfaceId = 0;
    return readPacketData(frame, capturedLength, originalLength,
        bodyLength - SIMPLE_PACKET_FIXED_LENGTH, totalLength);
  }

  /** Sets the link type and time of a packet from its interface (null: never described). */
  private void describe(Frame frame, Interface iface, long units) {
    if (iface == null) {
      frame.linkType = Frame.UNKNOWN_LINK_TYPE;
      frame.timeDigits = TimestampResolution.MICROSECONDS.digits;
      frame.timeNanos = TimestampResolution.MICROSECONDS.toNanos(units);
    } else {
      frame.linkType = iface.linkType;
      frame.timeDigits = iface.resolution.digits;
      frame.timeNanos =
          TimestampResolution.addClamped(iface.resolution.toNanos(units), iface.offsetNanos);
    }
  }

  /**
   * Reads the packet bytes, which may fill at most {@code room} bytes of the block body, and
   * then the rest of the block (padding, options, trailing length). Always returns true.
   */
  private boolean readPacketData(
      Frame frame, long capturedLength, long originalLength, long room, long totalLength)
      throws IOException {
    long wanted = Math.min(capturedLength, room);
    if (wanted > CaptureFileReader.MAX_CAPTURED_LENGTH) {
      throw damaged("its captured length " + wanted + " exceeds the limit of "
          + CaptureFileReader.MAX_CAPTURED_LENGTH + " bytes");
    }
    int length = (int) wanted;
    int present = in.read(frame.dataWithCapacity(length), 0, length);
    frame.capturedLength = present;
    frame.originalLength = Bytes.clampToInt(originalLength);
    lastTimeNanos = frame.timeNanos;
    if (present < length) {
      ended = true; // the last packet is cut short: hand out what there is, then end
    } else {
      finishBlock(room - length, totalLength);
    }
    return true;
  }

  /** Skips the unread rest of a block body and checks the trailing copy of its length. */
  private void finishBlock(long bodyLeft, long totalLength) throws IOException {
    if (in.skip(bodyLeft) < bodyLeft || in.fill(BLOCK_TRAILER_LENGTH) < BLOCK_TRAILER_LENGTH) {
      ended = true;
      return;
    }
    long trailingLength = Bytes.uint32(in.buf, in.pos, bigEndian);
    if (trailingLength != totalLength) {
      throw damaged("its trailing block length " + trailingLength
          + " differs from its leading length " + totalLength);
    }
    in.pos += BLOCK_TRAILER_LENGTH;
  }

  /** The body length of a block, after checking its total length is a whole, sane number. */
  private long checkedBodyLength(int type, long totalLength) throws CaptureFileException {
    long minimum = MIN_BLOCK_LENGTH + fixedBodyLength(type);
    if (totalLength % 4 != 0 || totalLength < minimum) {
      throw damaged(String.format(
          "its block length %d is not a multiple of 4 of at least %d (block type 0x%08x)",
          totalLength, minimum, type));
    }
    return totalLength - MIN_BLOCK_LENGTH;
  }

  private static int fixedBodyLength(int type) {
    switch (type) {
      case SECTION_HEADER_BLOCK: return SECTION_HEADER_FIXED_LENGTH;
      case INTERFACE_DESCRIPTION_BLOCK: return INTERFACE_DESCRIPTION_FIXED_LENGTH;
      case ENHANCED_PACKET_BLOCK: return ENHANCED_PACKET_FIXED_LENGTH;
      case PACKET_BLOCK: return PACKET_FIXED_LENGTH;
      case SIMPLE_PACKET_BLOCK: return SIMPLE_PACKET_FIXED_LENGTH;
      default: return 0;
    }
  }

  private Interface interfaceOrNull(int id) {
    return id >= 0 && id < interfaces.size() ? interfaces.get(id) : null;
  }

  private CaptureFileException damaged(String problem) {
    return CaptureFileException.damaged(name, "block", blockNumber, blockOffset, problem);
  }
}
