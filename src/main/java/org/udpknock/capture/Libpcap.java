package org.udpknock.capture;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The libpcap calls udpknock makes itself, beside pcap4j's, bound directly (JNA's direct mapping)
 * to the library pcap4j loads: no proxy class to generate at start, and no conversion per call,
 * which matters for {@code pcap_next_ex}, called per packet.
 */
final class Libpcap {
  static {
    Native.register(Libpcap.class, NativeLibrary.getInstance(System.getProperty("org.pcap4j.core.pcapLibName", "pcap")));
  }

  private Libpcap() {}

  static native int pcap_next_ex(Pointer pcap, Pointer headerOut, Pointer dataOut);

  static native Pointer pcap_create(String source, byte[] errbuf);

  static native int pcap_set_tstamp_precision(Pointer handle, int precision);

  static native void pcap_close(Pointer handle);
}
