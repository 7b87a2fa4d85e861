package org.udpknock.pcapfile;

/**
 * The pcapng file format (draft-ietf-opsawg-pcapng): a sequence of blocks, each
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                          block type                           |
 *  |                      block total length                       |
 *  /                  body, padded to 32 bits                      /
 *  |                      block total length                       |
 *  +---------------------------------------------------------------+
 *
 * Section Header Block (type 0x0A0D0D0A, the same in both byte orders) body:
 *  |       byte-order magic 0x1A2B3C4D, in the section's order     |
 *  |     major version (1)         |      minor version (0)        |
 *  |            section length (64 bits, -1 if unknown)            |
 *  /                           options                             /
 *
 * Interface Description Block (type 1) body:
 *  |        link type              |         reserved              |
 *  |                          snaplen                              |
 *  /      options (if_tsresol = 9, if_tsoffset = 14, ...)          /
 *
 * Enhanced Packet Block (type 6) body:
 *  |                        interface id                           |
 *  |                 timestamp, upper 32 bits                      |
 *  |                 timestamp, lower 32 bits                      |
 *  |                       captured length                         |
 *  |                       original length                         |
 *  /              packet data, padded to 32 bits                   /
 *  /                           options                             /
 *
 * Simple Packet Block (type 3) body: original length, then packet data (interface 0, no time).
 * Packet Block (type 2, obsolete): as an EPB, with a 16-bit interface id and a 16-bit drop count.
 *
 * Option: | code (16) | length (16) | value, padded to 32 bits |; code 0 ends the list.
 * </pre>
 *
 * Interfaces are numbered from 0 in the order of their IDBs within a section.
 */
final class PcapNgFormat {
  private PcapNgFormat() {}

  static final int SECTION_HEADER_BLOCK = 0x0A0D0D0A;
  static final int INTERFACE_DESCRIPTION_BLOCK = 1;
  static final int PACKET_BLOCK = 2;
  static final int SIMPLE_PACKET_BLOCK = 3;
  static final int ENHANCED_PACKET_BLOCK = 6;

  static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
  static final int VERSION_MAJOR = 1;
  static final int VERSION_MINOR = 0;

  /** Block type and leading total length. */
  static final int BLOCK_HEADER_LENGTH = 8;
  /** The trailing copy of the total length. */
  static final int BLOCK_TRAILER_LENGTH = 4;
  static final int MIN_BLOCK_LENGTH = BLOCK_HEADER_LENGTH + BLOCK_TRAILER_LENGTH;

  /** Byte-order magic, version, section length. */
  static final int SECTION_HEADER_FIXED_LENGTH = 16;
  /** Link type, reserved, snaplen. */
  static final int INTERFACE_DESCRIPTION_FIXED_LENGTH = 8;
  /** Interface id, timestamp (2 words), captured length, original length. */
  static final int ENHANCED_PACKET_FIXED_LENGTH = 20;
  /** Interface id (16), drops (16), timestamp (2 words), captured length, original length. */
  static final int PACKET_FIXED_LENGTH = 20;
  /** Original length. */
  static final int SIMPLE_PACKET_FIXED_LENGTH = 4;

  static final int OPTION_HEADER_LENGTH = 4;
  static final int OPT_ENDOFOPT = 0;
  static final int IF_TSRESOL = 9;
  static final int IF_TSOFFSET = 14;

  /** Rounds a length up to the 32-bit boundary that block contents are padded to. */
  static long padded(long length) {
    return (length + 3) & ~3L;
  }
}
