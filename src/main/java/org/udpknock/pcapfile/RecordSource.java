package org.udpknock.pcapfile;

import java.io.IOException;

/** The records of one file format, read after its header. */
interface RecordSource {
  /** Fills {@code frame} with the next packet; false at the end. */
  boolean next(Frame frame) throws IOException;
}
