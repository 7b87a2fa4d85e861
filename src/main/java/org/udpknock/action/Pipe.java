package org.udpknock.action;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One direction of a relay, through one bounded buffer: reading stops while the buffer is full,
 * so a side that does not read holds back the other (its kernel buffers fill and TCP's window
 * closes) and nothing queues without bound. The end of one side's stream is passed on as a
 * half-close of the other once the buffer is flushed.
 */
final class Pipe {
  private final SocketChannel from;
  private final SocketChannel to;
  /** Always in fill mode between calls: {@code position()} bytes wait to be written. */
  private final ByteBuffer buffer;
  private boolean endOfStream;
  private boolean shutDown;
  private long bytes;

  Pipe(SocketChannel from, SocketChannel to, int bufferBytes) {
    this.from = from;
    this.to = to;
    this.buffer = ByteBuffer.allocateDirect(bufferBytes); // Direct: the kernel copies straight from it.
  }

  /**
   * Reads what fits, writes what the other side takes, and half-closes it after the last byte.
   * True when some byte moved: the caller may go again before selecting.
   */
  boolean move() throws IOException {
    int read = wantsRead() ? from.read(buffer) : 0;
    if (read < 0) {
      endOfStream = true;
    }
    int written = 0;
    if (buffer.position() > 0) {
      buffer.flip();
      written = to.write(buffer);
      bytes += written;
      buffer.compact();
    }
    if (endOfStream && buffer.position() == 0 && !shutDown) {
      shutDown = true;
      to.shutdownOutput();
    }
    return read > 0 || written > 0;
  }

  boolean wantsRead() {
    return !endOfStream && buffer.hasRemaining();
  }

  boolean wantsWrite() {
    return buffer.position() > 0;
  }

  /** The source's stream ended and every byte of it was written on. */
  boolean done() {
    return shutDown;
  }

  long bytes() {
    return bytes;
  }
}
