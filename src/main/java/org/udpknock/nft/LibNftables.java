package org.udpknock.nft;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The few functions of libnftables ({@code libnftables.so.1}, Debian package libnftables1) that
 * udpknock calls. Commands are the text of nft's command line; a buffer of several commands is
 * one transaction. Bound directly (JNA's direct mapping) when this class is first used: an
 * interface mapping would make the JDK generate a proxy class at every start of the server.
 * A missing library makes that first use throw an {@link UnsatisfiedLinkError} (inside
 * {@link ExceptionInInitializerError} or {@link NoClassDefFoundError}).
 */
final class LibNftables {
  /** The Debian runtime package ships only the versioned name (the bare .so is in -dev). */
  static final String LIBRARY = "libnftables.so.1";
  static final int NFT_CTX_DEFAULT = 0;

  static {
    Native.register(LibNftables.class, NativeLibrary.getInstance(LIBRARY));
  }

  private LibNftables() {}

  static native Pointer nft_ctx_new(int flags);

  static native void nft_ctx_free(Pointer ctx);

  static native int nft_ctx_buffer_output(Pointer ctx);

  static native int nft_ctx_buffer_error(Pointer ctx);

  static native String nft_ctx_get_output_buffer(Pointer ctx);

  static native String nft_ctx_get_error_buffer(Pointer ctx);

  /** 0 on success. */
  static native int nft_run_cmd_from_buffer(Pointer ctx, String buffer);
}
