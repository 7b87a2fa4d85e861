package org.udpknock.pcapfile;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteOrder;

/** Buffered writing of integers in one byte order, for the capture-file writers. */
final class OutputBuffer implements Closeable, Flushable {
  /** 1 MiB, like the reader: writers produce files of millions of records. */
  static final int DEFAULT_SIZE = 1 << 20;

  private final OutputStream out;
  private final boolean bigEndian;
  private final byte[] buf;
  private int pos;
  private boolean closed;

  OutputBuffer(OutputStream out, ByteOrder order, int size) {
    this.out = out;
    this.bigEndian = order == ByteOrder.BIG_ENDIAN;
    this.buf = new byte[size];
  }

  void int8(int value) throws IOException {
    room(1);
    buf[pos++] = (byte) value;
  }

  void int16(int value) throws IOException {
    room(2);
    Bytes.putInt16(buf, pos, value, bigEndian);
    pos += 2;
  }

  void int32(int value) throws IOException {
    room(4);
    Bytes.putInt32(buf, pos, value, bigEndian);
    pos += 4;
  }

  void int64(long value) throws IOException {
    room(8);
    Bytes.putInt64(buf, pos, value, bigEndian);
    pos += 8;
  }

  void bytes(byte[] src, int offset, int length) throws IOException {
    if (length > buf.length - pos) {
      writeBuffer();
      if (length >= buf.length) {
        out.write(src, offset, length); // too big to be worth copying
        return;
      }
    }
    System.arraycopy(src, offset, buf, pos, length);
    pos += length;
  }

  /** Writes zero bytes up to the next multiple of 4 of {@code length}. */
  void padTo4(int length) throws IOException {
    int padding = -length & 3;
    room(padding);
    for (int i = 0; i < padding; i++) {
      buf[pos++] = 0;
    }
  }

  private void room(int length) throws IOException {
    if (closed) {
      throw new IOException("The capture file writer is closed.");
    }
    if (buf.length - pos < length) {
      writeBuffer();
    }
  }

  private void writeBuffer() throws IOException {
    out.write(buf, 0, pos);
    pos = 0;
  }

  @Override
  public void flush() throws IOException {
    writeBuffer();
    out.flush();
  }

  /** Flushes and closes the stream; a second call does nothing. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writeBuffer();
    } finally {
      out.close(); // even when the last write failed
    }
  }
}
