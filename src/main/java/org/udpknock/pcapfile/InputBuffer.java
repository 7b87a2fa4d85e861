package org.udpknock.pcapfile;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import jdk.internal.vm.annotation.Contended;

/**
 * A large read buffer over a stream that the parsers read in place: they ask for a few bytes
 * with {@link #fill}, decode them from {@link #buf} at {@link #pos}, and advance {@code pos}.
 * Reading a record this way allocates nothing and costs one bounds check per header.
 *
 * <p>It also keeps the file offset of {@code pos}, so that errors can say where a file broke.
 *
 * <p>The buffer starts small and grows to its full size the first time its bytes run out: a
 * replay opens all its inputs before it reads the first (to check them), and a reader that has
 * read only its header then holds a few KiB, not a MiB.
 */
// Padded from its neighbours in memory (false sharing): written at every frame by
// the thread that reads a capture; see BatchedReplay.
@Contended
final class InputBuffer implements Closeable {
  /** 1 MiB: large enough that the per-read cost of the stream disappears. */
  static final int DEFAULT_SIZE = 1 << 20;
  /** Enough for any file header; what an opened reader holds until it is read. */
  static final int INITIAL_SIZE = 4 << 10;

  private final InputStream in;
  /** The buffered bytes are {@code buf[pos..limit)}. */
  byte[] buf;
  int pos;
  private final int size;
  private int limit;
  /** File offset of {@code buf[0]}. */
  private long bufferStart;
  private boolean streamEnded;

  InputBuffer(InputStream in, int size) {
    this.in = in;
    this.size = size;
    this.buf = new byte[Math.min(size, INITIAL_SIZE)];
  }

  /** The most bytes {@link #fill} can make readable at once. */
  int size() {
    return size;
  }

  /** The file offset of the next unread byte. */
  long offset() {
    return bufferStart + pos;
  }

  /**
   * Makes {@code count} bytes (at most the buffer size) readable at {@code buf[pos..]} and returns
   * {@code count}, or returns how many there are when the stream ends sooner.
   */
  int fill(int count) throws IOException {
    if (limit - pos >= count) {
      return count;
    }
    if (count > size) {
      throw new IllegalArgumentException("count > buffer size: " + count);
    }
    if (!streamEnded) {
      moveUnreadToStart();
      while (limit < count && readMore()) {
        // keep reading: a stream may hand out fewer bytes than asked for
      }
    }
    return Math.min(count, limit - pos);
  }

  /** Copies up to {@code length} bytes to {@code dst}; returns how many (fewer only at the end). */
  int read(byte[] dst, int offset, int length) throws IOException {
    int copied = 0;
    while (copied < length) {
      if (pos == limit && !refill()) {
        break;
      }
      int n = Math.min(length - copied, limit - pos);
      System.arraycopy(buf, pos, dst, offset + copied, n);
      pos += n;
      copied += n;
    }
    return copied;
  }

  /** Skips up to {@code length} bytes; returns how many (fewer only at the end). */
  long skip(long length) throws IOException {
    long skipped = 0;
    while (skipped < length) {
      if (pos == limit && !refill()) {
        break;
      }
      int n = (int) Math.min(length - skipped, limit - pos);
      pos += n;
      skipped += n;
    }
    return skipped;
  }

  private void moveUnreadToStart() {
    int unread = limit - pos;
    byte[] target = buf.length < size ? new byte[size] : buf;
    System.arraycopy(buf, pos, target, 0, unread);
    buf = target;
    bufferStart += pos;
    pos = 0;
    limit = unread;
  }

  /** Replaces the (fully read) buffer by the next bytes of the stream; false at its end. */
  private boolean refill() throws IOException {
    bufferStart += limit;
    pos = 0;
    limit = 0;
    if (buf.length < size) {
      buf = new byte[size];
    }
    while (limit == 0) {
      if (streamEnded || !readMore()) {
        return false;
      }
    }
    return true;
  }

  /** Appends what the stream gives to the buffer; false once the stream has ended. */
  private boolean readMore() throws IOException {
    int n = in.read(buf, limit, buf.length - limit);
    if (n < 0) {
      streamEnded = true;
      return false;
    }
    limit += n;
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
