package org.udpknock.nft;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * The few functions of libnftables ({@code libnftables.so.1}, Debian package libnftables1) that
 * udpknock calls. Commands are the text of nft's command line; a buffer of several commands is
 * one transaction.
 */
interface LibNftables extends Library {
  /** The Debian runtime package ships only the versioned name (the bare .so is in -dev). */
  String LIBRARY = "libnftables.so.1";
  int NFT_CTX_DEFAULT = 0;

  Pointer nft_ctx_new(int flags);

  void nft_ctx_free(Pointer ctx);

  int nft_ctx_buffer_output(Pointer ctx);

  int nft_ctx_buffer_error(Pointer ctx);

  String nft_ctx_get_output_buffer(Pointer ctx);

  String nft_ctx_get_error_buffer(Pointer ctx);

  /** 0 on success. */
  int nft_run_cmd_from_buffer(Pointer ctx, String buffer);
}
