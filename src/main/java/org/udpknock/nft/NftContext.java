package org.udpknock.nft;

import com.sun.jna.Pointer;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One libnftables context: runs command texts in-process, over netlink, with no shell and no
 * fork. Not thread-safe: one thread at a time (the start-up, then the {@link KernelGrants}
 * worker). It acts in the network namespace of the process.
 */
public final class NftContext implements NftRunner, AutoCloseable {
  private static final int CAP_NET_ADMIN = 12;
  private Pointer ctx;
  /** Grants' elements go this way once it is open; null until then, or after it failed (text from then on). */
  private NetlinkElements direct;
  private boolean directFailed;

  private NftContext(Pointer ctx) {
    this.ctx = ctx;
  }

  /** Loads libnftables and makes a context whose output and errors are kept, never printed. */
  public static NftContext open() throws NftException {
    if (!hasNetAdmin(Path.of("/proc/self/status"))) { // Else libnftables prints to stderr itself.
      throw new NftException("Operation not permitted: no CAP_NET_ADMIN");
    }
    Pointer ctx;
    try {
      ctx = LibNftables.nft_ctx_new(LibNftables.NFT_CTX_DEFAULT);
    } catch (LinkageError e) { // The library's binding failed in LibNftables' initialisation.
      throw new NftException(LibNftables.LIBRARY + " is not installed (apt-get install libnftables1)");
    }
    if (ctx == null) {
      throw new NftException("libnftables could not make a context");
    }
    LibNftables.nft_ctx_buffer_output(ctx);
    LibNftables.nft_ctx_buffer_error(ctx);
    return new NftContext(ctx);
  }

  /** Runs the commands as one transaction; on failure, throws with nft's message. */
  @Override
  public void run(String commands) throws NftException {
    if (ctx == null) {
      throw new NftException("the nftables context is closed");
    }
    if (LibNftables.nft_run_cmd_from_buffer(ctx, commands) != 0) {
      throw new NftException(oneLine(LibNftables.nft_ctx_get_error_buffer(ctx)));
    }
  }

  /** Runs the commands and returns what nft printed, e.g. for {@code list table}. */
  public String output(String commands) throws NftException {
    run(commands);
    return String.valueOf(LibNftables.nft_ctx_get_output_buffer(ctx));
  }

  /** The names of the sets in {@code inet TABLE}; none when there is no such table. */
  public java.util.List<String> setNames(String table) {
    GuardedPort.requireName("table", table);
    try {
      return setNamesListed(output("list table inet " + table));
    } catch (NftException e) {
      return java.util.List.of();
    }
  }

  /**
   * The sets of nft's listing of a table: the names of its lines that open a set ("set NAME {").
   * Read line by line: a regular expression's matches through a stream cost ~8 ms of the
   * server's start, their first use in it (async-profiler).
   */
  static java.util.List<String> setNamesListed(String listing) {
    java.util.List<String> names = new java.util.ArrayList<>();
    for (String line : listing.split("\n")) {
      String words = line.strip();
      if (words.startsWith("set ") && words.endsWith(" {") && words.indexOf(' ', 4) == words.length() - 2) {
        names.add(words.substring(4, words.length() - 2));
      }
    }
    return names;
  }

  /** Over netlink, bypassing libnftables' parse and cache refresh; false (text path) if that fails. */
  @Override
  public boolean allowDirect(String table, GuardedPort port, java.util.List<Allowance> allowances) {
    if (!NetlinkElements.handles(allowances) || !openDirect()) {
      return false;
    }
    try {
      direct.allow(table, port, allowances);
      return true;
    } catch (NftException e) {
      return false; // A refused batch changed nothing: the text path tries again and says why.
    }
  }

  @Override
  public boolean warmDirect(String table, GuardedPort port) {
    if (openDirect()) {
      try {
        direct.warm(table, port);
        return true;
      } catch (NftException e) {
        closeDirect(); // Not usable here: grants take the text path.
        directFailed = true;
      }
    }
    return false;
  }

  private boolean openDirect() {
    if (direct == null && !directFailed) {
      try {
        direct = NetlinkElements.open();
      } catch (NftException e) {
        directFailed = true;
      }
    }
    return direct != null;
  }

  private void closeDirect() {
    if (direct != null) {
      direct.close();
      direct = null;
    }
  }

  @Override
  public void close() {
    closeDirect();
    if (ctx != null) {
      LibNftables.nft_ctx_free(ctx);
      ctx = null;
    }
  }

  /** CAP_NET_ADMIN is bit 12 of the effective set; a status without the line is given the benefit of the doubt. */
  static boolean hasNetAdmin(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("CapEff:")) {
          return (new BigInteger(line.substring("CapEff:".length()).strip(), 16).longValue() & (1L << CAP_NET_ADMIN)) != 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // No /proc here: libnftables itself will say whether it may.
    }
    return true;
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
