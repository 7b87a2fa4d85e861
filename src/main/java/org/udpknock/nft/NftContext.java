package org.udpknock.nft;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * One libnftables context: runs command texts in-process, over netlink, with no shell and no
 * fork. Not thread-safe: one thread at a time (the start-up, then the {@link KernelGrants}
 * worker). It acts in the network namespace of the process.
 */
public final class NftContext implements NftRunner, AutoCloseable {
  private final LibNftables lib;
  private Pointer ctx;

  private NftContext(LibNftables lib, Pointer ctx) {
    this.lib = lib;
    this.ctx = ctx;
  }

  /** Loads libnftables and makes a context whose output and errors are kept, never printed. */
  public static NftContext open() throws NftException {
    LibNftables lib;
    try {
      lib = Native.load(LibNftables.LIBRARY, LibNftables.class);
    } catch (UnsatisfiedLinkError e) {
      throw new NftException(LibNftables.LIBRARY + " is not installed (apt-get install libnftables1)");
    }
    Pointer ctx = lib.nft_ctx_new(LibNftables.NFT_CTX_DEFAULT);
    if (ctx == null) {
      throw new NftException("libnftables could not make a context");
    }
    lib.nft_ctx_buffer_output(ctx);
    lib.nft_ctx_buffer_error(ctx);
    return new NftContext(lib, ctx);
  }

  /** Runs the commands as one transaction; on failure, throws with nft's message. */
  @Override
  public void run(String commands) throws NftException {
    if (ctx == null) {
      throw new NftException("the nftables context is closed");
    }
    if (lib.nft_run_cmd_from_buffer(ctx, commands) != 0) {
      throw new NftException(oneLine(lib.nft_ctx_get_error_buffer(ctx)));
    }
  }

  /** Runs the commands and returns what nft printed, e.g. for {@code list table}. */
  public String output(String commands) throws NftException {
    run(commands);
    return String.valueOf(lib.nft_ctx_get_output_buffer(ctx));
  }

  @Override
  public void close() {
    if (ctx != null) {
      lib.nft_ctx_free(ctx);
      ctx = null;
    }
  }

  /** nft's error is the message, the command and a caret line: the first line says it all. */
  static String oneLine(String error) {
    if (error == null || error.isBlank()) {
      return "nftables refused the command";
    }
    String first = error.strip().lines().findFirst().orElse("");
    return first.startsWith("Error: ") ? first.substring("Error: ".length()) : first;
  }
}
