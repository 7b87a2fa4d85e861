package org.udpknock.capture;

import com.sun.jna.Pointer;

/**
 * Whether libpcap can stamp a device's packets in nanoseconds, asked without opening it. pcap4j
 * answers an unsupported precision (nflog, dbus, usbmon...) by logging
 * {@code [main] ERROR ... NANO is not supported}, before the real error if any: asking first lets
 * the capture fall back to microseconds quietly. {@code pcap_create} needs no privilege.
 */
final class NanosecondProbe {
  private NanosecondProbe() {}

  private static final int PCAP_TSTAMP_PRECISION_NANO = 1;
  private static final int PCAP_ERRBUF_SIZE = 256;

  /** True when nanoseconds are supported, or when the probe cannot tell (the open then decides). */
  static boolean supports(String device) {
    try {
      Pointer handle = Libpcap.pcap_create(device, new byte[PCAP_ERRBUF_SIZE]);
      if (handle == null) {
        return true;
      }
      try {
        return Libpcap.pcap_set_tstamp_precision(handle, PCAP_TSTAMP_PRECISION_NANO) == 0;
      } finally {
        Libpcap.pcap_close(handle);
      }
    } catch (RuntimeException | LinkageError e) {
      return true;
    }
  }
}
