package org.udpknock.action;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One granted client and its backend connection. Until the backend has answered, the client is
 * not read (its bytes wait in the kernel); then both directions move through their pipes. Equal
 * only to itself.
 */
final class Relay {
  /** Passes over both pipes per wake-up while bytes move: fewer selects, yet no relay starves the others. */
  private static final int PASSES = 4;
  final SocketChannel client;
  final SocketChannel backend;
  final String source;
  final long connectDeadlineNanos;
  private final Pipe upstream;
  private final Pipe downstream;
  private SelectionKey clientKey;
  private SelectionKey backendKey;
  private boolean connected;

  Relay(SocketChannel client, SocketChannel backend, String source, long connectDeadlineNanos, int bufferBytes) {
    this.client = client;
    this.backend = backend;
    this.source = source;
    this.connectDeadlineNanos = connectDeadlineNanos;
    this.upstream = new Pipe(client, backend, bufferBytes);
    this.downstream = new Pipe(backend, client, bufferBytes);
  }

  void registered(SelectionKey clientKey, SelectionKey backendKey) {
    this.clientKey = clientKey;
    this.backendKey = backendKey;
  }

  boolean isConnected() {
    return connected;
  }

  /** The backend accepted: relaying starts. */
  void connected() {
    connected = true;
  }

  /** Moves both directions as far as the sockets allow; true when the relay is over. */
  boolean pump() throws IOException {
    for (int pass = 0; pass < PASSES; pass++) {
      boolean moved = upstream.move() | downstream.move(); // Both, always.
      if (!moved) {
        break;
      }
    }
    if (upstream.done() && downstream.done()) {
      return true;
    }
    clientKey.interestOps(ops(upstream, downstream));
    backendKey.interestOps(ops(downstream, upstream));
    return false;
  }

  /** A side is read while its outgoing pipe has room, and written while its incoming pipe holds bytes. */
  private static int ops(Pipe outgoing, Pipe incoming) {
    return (outgoing.wantsRead() ? SelectionKey.OP_READ : 0) | (incoming.wantsWrite() ? SelectionKey.OP_WRITE : 0);
  }

  /** Bytes from the client written to the backend. */
  long bytesIn() {
    return upstream.bytes();
  }

  /** Bytes from the backend written to the client. */
  long bytesOut() {
    return downstream.bytes();
  }
}
