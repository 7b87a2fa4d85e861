package org.udpknock.pcapfile;

/**
 * The classic pcap file format (draft-ietf-opsawg-pcap). All fields are in the byte order of
 * the writer, which the magic number reveals.
 *
 * <pre>
 * Global header, 24 bytes:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        magic: a1b2c3d4 (microseconds) or a1b23c4d (nanoseconds)|  0
 *  |     major version (2)         |      minor version (4)        |  4
 *  |                 reserved (thiszone, ignored)                  |  8
 *  |                 reserved (sigfigs, ignored)                   | 12
 *  |                           snaplen                             | 16
 *  |  FCS info (upper bits)        |    link type (lower 16 bits)  | 20
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Record header, 16 bytes, then caplen bytes of packet data:
 *  |            timestamp seconds (unsigned)                       |  0
 *  |  timestamp microseconds or nanoseconds (by the magic)         |  4
 *  |            captured length (caplen)                           |  8
 *  |            original length on the wire                        | 12
 * </pre>
 */
final class PcapFormat {
  private PcapFormat() {}

  static final int MAGIC_MICROSECONDS = 0xA1B2C3D4;
  static final int MAGIC_NANOSECONDS = 0xA1B23C4D;

  static final int GLOBAL_HEADER_LENGTH = 24;
  static final int VERSION_MAJOR_OFFSET = 4;
  static final int VERSION_MINOR_OFFSET = 6;
  static final int SNAPLEN_OFFSET = 16;
  static final int LINK_TYPE_OFFSET = 20;
  /** The link type proper; the bits above may hold an FCS length. */
  static final int LINK_TYPE_MASK = 0xFFFF;

  static final int RECORD_HEADER_LENGTH = 16;
  static final int SECONDS_OFFSET = 0;
  static final int FRACTION_OFFSET = 4;
  static final int CAPTURED_LENGTH_OFFSET = 8;
  static final int ORIGINAL_LENGTH_OFFSET = 12;

  static final int VERSION_MAJOR = 2;
  static final int VERSION_MINOR = 4;
}
