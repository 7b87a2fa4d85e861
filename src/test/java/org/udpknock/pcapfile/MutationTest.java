package org.udpknock.pcapfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.udpknock.pcapfile.CaptureFiles.hex;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Damaged files, made by mutating valid ones with a fixed seed: reading must only ever give
 * frames, the end, or a {@link CaptureFileException} / IOException. Never another exception
 * (index out of bounds, negative array size, out of memory from a huge length), never a hang.
 */
class MutationTest {
  private static final int MUTANTS_PER_FILE = 4000;
  /** Far more than any mutant can hold; a bound so that a bug cannot loop for ever. */
  private static final int MAX_FRAMES_PER_FILE = 100_000;
  private static final int[] INTERESTING_WORDS = {
      0, 1, 3, 4, 8, 12, 16, 0x0A0D0D0A, 0x1A2B3C4D, 0x4D3C2B1A, 0x7FFFFFFF, 0x80000000,
      0xFFFFFFFF, 0xFFFFFFFC, 0x00FFFFFF, 0x01000000, 0x01000001, 0x000F4240, 0x3B9ACA00};

  @Test
  void mutatedPcapFilesNeverThrowAnythingElse() throws IOException {
    mutateAndRead(validPcap(false, ByteOrder.LITTLE_ENDIAN), 12, 1);
    mutateAndRead(validPcap(true, ByteOrder.BIG_ENDIAN), 12, 2);
  }

  @Test
  void mutatedPcapNgFilesNeverThrowAnythingElse() throws IOException {
    mutateAndRead(validPcapNg(), 9, 3);
  }

  private static void mutateAndRead(byte[] valid, int validFrames, long seed) throws IOException {
    assertEquals(validFrames, readAllChecked(valid, 64), "frames in the unmutated file");
    Random random = new Random(seed);
    int framesSeen = 0;
    int damageReported = 0;
    for (int i = 0; i < MUTANTS_PER_FILE; i++) {
      byte[] mutant = mutate(valid, random);
      int bufferSize = random.nextBoolean() ? 64 : 4096;
      try {
        framesSeen += readAllChecked(mutant, bufferSize);
      } catch (CaptureFileException expected) {
        damageReported++;
      } catch (IOException expected) {
        // allowed too, though a byte array stream has no I/O errors
      } catch (Throwable e) {
        fail("mutant " + i + " (seed " + seed + ", buffer " + bufferSize + ") threw " + e + "; file: "
            + HexFormat.of().formatHex(mutant), e);
      }
    }
    // Both outcomes must occur, or the mutations are not reaching the parser.
    assertTrue(framesSeen > 0, "no mutant gave a frame");
    assertTrue(damageReported > 0, "no mutant was reported as damaged");
  }

  /** Reads every frame, checking each is coherent; returns how many. */
  private static int readAllChecked(byte[] file, int bufferSize) throws IOException {
    Frame frame = new Frame();
    frame.data = new byte[8];
    int count = 0;
    try (CaptureFileReader reader =
        CaptureFileReader.open(new ByteArrayInputStream(file), "mutant", bufferSize)) {
      while (reader.next(frame)) {
        if (frame.capturedLength < 0 || frame.offset < 0 || frame.offset + frame.capturedLength > frame.data.length
            || frame.capturedLength > CaptureFileReader.MAX_CAPTURED_LENGTH
            || frame.originalLength < 0 || frame.timeDigits < 0 || frame.timeDigits > 9
            || frame.linkType < Frame.UNKNOWN_LINK_TYPE || frame.linkType > 0xFFFF) {
          fail("incoherent frame: caplen " + frame.capturedLength + ", len "
              + frame.originalLength + ", digits " + frame.timeDigits + ", link type "
              + frame.linkType);
        }
        if (++count > MAX_FRAMES_PER_FILE) {
          fail("more than " + MAX_FRAMES_PER_FILE + " frames from a small file");
        }
      }
    }
    return count;
  }

  private static byte[] mutate(byte[] valid, Random random) {
    byte[] file = valid.clone();
    int mutations = 1 + random.nextInt(4);
    for (int m = 0; m < mutations && file.length > 0; m++) {
      switch (random.nextInt(6)) {
        case 0: // flip a few bits
          for (int k = 0; k < 1 + random.nextInt(4); k++) {
            file[random.nextInt(file.length)] ^= (byte) (1 << random.nextInt(8));
          }
          break;
        case 1: // a length-like value in an aligned word, in either byte order
        case 2:
          overwriteWord(file, random);
          break;
        case 3: // cut short
          file = Arrays.copyOf(file, random.nextInt(file.length));
          break;
        case 4: // insert or delete a few bytes, breaking the alignment of what follows
          file = insertOrDelete(file, random);
          break;
        default: // a random byte
          file[random.nextInt(file.length)] = (byte) random.nextInt(256);
          break;
      }
    }
    return file;
  }

  private static void overwriteWord(byte[] file, Random random) {
    if (file.length < 4) {
      return;
    }
    int at = random.nextInt(file.length / 4) * 4;
    int value = INTERESTING_WORDS[random.nextInt(INTERESTING_WORDS.length)];
    Bytes.putInt32(file, at, value, random.nextBoolean());
  }

  private static byte[] insertOrDelete(byte[] file, Random random) {
    int at = random.nextInt(file.length);
    int count = 1 + random.nextInt(8);
    if (random.nextBoolean()) {
      byte[] longer = new byte[file.length + count];
      System.arraycopy(file, 0, longer, 0, at);
      System.arraycopy(file, at, longer, at + count, file.length - at);
      return longer;
    }
    count = Math.min(count, file.length - at);
    byte[] shorter = new byte[file.length - count];
    System.arraycopy(file, 0, shorter, 0, at);
    System.arraycopy(file, at + count, shorter, at, file.length - at - count);
    return shorter;
  }

  private static byte[] validPcap(boolean nanosecond, ByteOrder order) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PcapWriter writer = new PcapWriter(bytes, 1, nanosecond, order, 65535)) {
      byte[] data = new byte[100];
      new Random(5).nextBytes(data);
      for (int i = 0; i < 12; i++) {
        writer.write(1_700_000_000_000_000_000L + i * 1_234_567L, data, 0, i * 7, i * 7 + 3);
      }
    }
    return bytes.toByteArray();
  }

  /** Every block type the reader knows, plus an unknown one and a second, big-endian section. */
  private static byte[] validPcapNg() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PcapNgWriter writer = new PcapNgWriter(bytes, ByteOrder.LITTLE_ENDIAN)) {
      int micro = writer.addInterface(1, 65535, 6);
      int nano = writer.addInterface(113, 0, 9);
      byte[] data = new byte[64];
      new Random(6).nextBytes(data);
      for (int i = 0; i < 6; i++) {
        writer.write(i % 2 == 0 ? micro : nano, 1_700_000_000_000_000_000L + i, data, 0, i * 9,
            i * 9 + 1);
      }
    }
    bytes.write(hex(
        "ad0b0000 14000000 01020304 05060708 14000000", // unknown block type
        "03000000 18000000 06000000 01020304 05060000 18000000", // SPB
        "02000000 24000000 0100 0000 00000000 2a000000 03000000 03000000 abcdef00 24000000",
        "0a0d0d0a 0000001c 1a2b3c4d 0001 0000 ffffffff ffffffff 0000001c", // SHB, big-endian
        "00000001 0000002c 0001 0000 00040000", // IDB with if_tsresol 2^-10 and if_tsoffset
        "0009 0001 8a000000 000e 0008 000000000000000a 0000 0000 0000002c",
        "00000006 00000024 00000000 00000195 4fc40201 00000003 00000005 aabbcc00 00000024"));
    return bytes.toByteArray();
  }
}
