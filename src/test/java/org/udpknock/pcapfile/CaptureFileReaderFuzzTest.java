package org.udpknock.pcapfile;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;

/**
 * Coverage-guided fuzzing of {@link CaptureFileReader} over arbitrary bytes taken as a pcap or
 * pcapng file. Without {@code JAZZER_FUZZ} this runs as a unit test over the seeds and saved
 * findings in {@code
 * src/test/resources/org/udpknock/pcapfile/CaptureFileReaderFuzzTestInputs/readAnyFile/}; with
 * it, Jazzer mutates them (see {@code scripts/fuzz}).
 *
 * <p>Invariants, on every input: opening and reading throw nothing but {@link
 * CaptureFileException} (the stream is a byte array: there are no other I/O errors); every frame
 * is coherent and holds no more bytes than the file; reading makes progress (each frame costs at
 * least a record header of the file, so a loop cannot spin); the end stays the end; and memory
 * stays bounded: a huge declared length must not allocate more than the reader's documented
 * limit, whatever the file says.
 */
class CaptureFileReaderFuzzTest {
  /** The fewest file bytes one frame can take: a pcap record header (pcapng blocks are larger). */
  private static final int MIN_BYTES_PER_FRAME = PcapFormat.RECORD_HEADER_LENGTH;
  /**
   * What one read of a file may allocate, beyond a small multiple of its size: the read buffer
   * and a {@link Frame#data} grown up to {@link CaptureFileReader#MAX_CAPTURED_LENGTH}, twice
   * over for the doubling, and slack for the JVM's own bookkeeping.
   */
  private static final long ALLOCATION_BOUND =
      4L * CaptureFileReader.MAX_CAPTURED_LENGTH + (1 << 20);

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @FuzzTest
  void readAnyFile(byte[] file) throws IOException {
    // Both buffer sizes of MutationTest: 64 makes records straddle refills.
    for (int bufferSize : new int[] {64, 4096}) {
      long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
      int frames = readAll(file, bufferSize);
      long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
      assertTrue(allocated <= ALLOCATION_BOUND + 64L * file.length,
          () -> "reading " + file.length + " bytes allocated " + allocated + " bytes");
      assertTrue((long) frames * MIN_BYTES_PER_FRAME <= file.length,
          () -> frames + " frames from a file of " + file.length + " bytes");
    }
  }

  /** Reads every frame, checking each; returns how many came before the end or the refusal. */
  private static int readAll(byte[] file, int bufferSize) throws IOException {
    Frame frame = new Frame();
    frame.data = new byte[8]; // small, so that reading must grow it
    int frames = 0;
    try (CaptureFileReader reader =
        CaptureFileReader.open(new ByteArrayInputStream(file), "fuzzed", bufferSize)) {
      while (reader.next(frame)) {
        assertCoherent(frame, file.length);
        // A bound the invariant in readAnyFile makes unreachable; it stops a spinning reader.
        if (++frames > file.length / MIN_BYTES_PER_FRAME + 1) return frames;
      }
      assertFalse(reader.next(frame), "next() returned true after returning false");
    } catch (CaptureFileException documented) {
      // not a capture file, or broken framing: the one exception the reader documents
    }
    return frames;
  }

  private static void assertCoherent(Frame frame, int fileLength) {
    assertTrue(frame.capturedLength >= 0 && frame.offset >= 0 && frame.offset + frame.capturedLength <= frame.data.length
            && frame.capturedLength <= CaptureFileReader.MAX_CAPTURED_LENGTH
            && frame.capturedLength <= fileLength
            && frame.originalLength >= 0 && frame.timeDigits >= 0 && frame.timeDigits <= 9
            && frame.linkType >= Frame.UNKNOWN_LINK_TYPE && frame.linkType <= 0xFFFF,
        () -> "incoherent frame: caplen " + frame.capturedLength + " at " + frame.offset + " in a buffer of "
            + frame.data.length + ", len " + frame.originalLength + ", digits "
            + frame.timeDigits + ", link type " + frame.linkType + ", file of " + fileLength
            + " bytes");
  }
}
