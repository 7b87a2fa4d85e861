package org.udpknock.capture;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.pcap4j.core.PcapAddress;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.core.Pcaps;
import org.udpknock.server.CaptureException;
import org.udpknock.server.CaptureException.Kind;
import org.udpknock.server.Uninterruptibly;

/** libpcap through pcap4j: probing the library and listing devices, with errors made readable. */
public final class Pcap {
  private Pcap() {}

  /** A capture device as libpcap lists it. */
  public record Device(String name, String description, List<InetAddress> addresses,
      boolean loopback, boolean up, boolean running) {}

  /** The sentence of the first failure: later calls only get "Could not initialize class". */
  private static volatile String loadFailure;
  /** The thread of {@link #preload}, if one was started. */
  private static volatile Thread preloading;
  /** Counted down once the preload has loaded the library (or failed to): what most calls wait for. */
  private static volatile CountDownLatch libraryLoaded;

  /**
   * Loads libpcap, then runs {@code andThen}, on a thread of its own: the server's start pays
   * for JNA's native stub and pcap4j's mappings (about a third of it) while it parses its
   * arguments and reads its config. Every later call of this class first waits for the library
   * (not for {@code andThen}: listing the devices need not wait for a warm-up of reads, which
   * {@link #awaitPreload} waits for); a failure is said by that call, as without a preload.
   */
  public static void preload(Runnable andThen) {
    CountDownLatch loaded = new CountDownLatch(1);
    // A class, not a lambda: the first lambda of a process costs the JVM milliseconds of linking,
    // which this thread would wait for before it starts; the main thread pays it meanwhile.
    Thread thread = new Thread("libpcap-preload") {
      @Override
      public void run() {
        try {
          libraryVersion();
          loaded.countDown();
          andThen.run();
        } catch (CaptureException e) {
          // Said again by the caller's own call.
        } finally {
          loaded.countDown();
        }
      }
    };
    thread.setDaemon(true);
    libraryLoaded = loaded;
    preloading = thread;
    thread.start();
  }

  /** Returns once a preload has run whole, its {@code andThen} included (at once without one). */
  public static void awaitPreload() {
    Thread thread = preloading;
    if (thread != null && thread != Thread.currentThread()) {
      Uninterruptibly.join(thread);
    }
  }

  private static void awaitLibrary() {
    CountDownLatch loaded = libraryLoaded;
    if (loaded != null && preloading != Thread.currentThread()) {
      Uninterruptibly.await(loaded);
    }
  }

  /**
   * Loads libpcap once and returns its version. pcap4j reports a missing library with an
   * UnsatisfiedLinkError, and every later call with NoClassDefFoundError: turn both into one
   * sentence with the install command. JNA fails the same way when it cannot unpack its native
   * stub (no writable temporary directory, e.g. a service user without a home): that is said
   * as such, with the option that fixes it.
   */
  public static String libraryVersion() throws CaptureException {
    awaitLibrary();
    if (loadFailure != null) {
      throw new CaptureException(Kind.LIBPCAP_MISSING, loadFailure);
    }
    // JNA logs a stack trace (java.util.logging) before failing to unpack its stub: kept quiet,
    // held by this call until its level is restored. Not a static field: java.util.logging's
    // start then happens on the preload's thread, not before it starts.
    Logger jnaLogger = Logger.getLogger("com.sun.jna");
    Level level = jnaLogger.getLevel();
    jnaLogger.setLevel(Level.OFF);
    try {
      return Pcaps.libVersion();
    } catch (LinkageError e) {
      loadFailure = failureSentence(e);
      throw new CaptureException(Kind.LIBPCAP_MISSING, loadFailure);
    } finally {
      jnaLogger.setLevel(level);
    }
  }

  private static String failureSentence(LinkageError e) {
    String message = String.valueOf(e.getMessage());
    int at = message.indexOf("JNA temporary directory");
    if (at < 0) {
      return "libpcap is not installed; install it with: sudo apt-get install libpcap0.8";
    }
    return "JNA cannot unpack its native library: its " + message.substring(at).replace("JNA t", "t")
        + "; give java a directory this user can write, e.g. java -Djna.tmpdir=\"$XDG_RUNTIME_DIR/udpknock\""
        + " -jar udpknock.jar (the directory is made if its parent is writable)";
  }

  /** Every device libpcap can capture on; needs no capture privilege on Linux. */
  public static List<Device> devices() throws CaptureException {
    libraryVersion();
    try {
      List<Device> devices = new ArrayList<>();
      for (PcapNetworkInterface nif : Pcaps.findAllDevs()) {
        List<InetAddress> addresses = new ArrayList<>();
        for (PcapAddress address : nif.getAddresses()) {
          if (address.getAddress() != null) {
            addresses.add(address.getAddress());
          }
        }
        devices.add(new Device(nif.getName(), nif.getDescription(), addresses, nif.isLoopBack(),
            nif.isUp(), nif.isRunning()));
      }
      return devices;
    } catch (PcapNativeException e) {
      throw new CaptureException(Kind.OTHER, "libpcap could not list the capture devices: "
          + e.getMessage());
    }
  }

  /** Device names, for messages: {@code lo, eth0, any}. */
  public static String deviceNames() {
    try {
      List<String> names = new ArrayList<>();
      devices().forEach(device -> names.add(device.name()));
      return String.join(", ", names);
    } catch (CaptureException e) {
      return "(none could be listed)";
    }
  }
}
