package org.udpknock.server;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.udpknock.action.CommandAction;
import org.udpknock.action.CommandListener;
import org.udpknock.action.ForwardAction;
import org.udpknock.action.ForwardEvents;
import org.udpknock.action.NoAction;
import org.udpknock.core.GrantTable;
import org.udpknock.core.KnockSequence;
import org.udpknock.core.ResetReason;
import org.udpknock.door.Sharing;
import org.udpknock.door.ActionKind;
import org.udpknock.door.Commands;
import org.udpknock.door.DoorConfig;
import org.udpknock.door.DoorWiring;
import org.udpknock.decode.LinkType;
import org.udpknock.pipeline.DestinationFilter;
import org.udpknock.pipeline.FramePipeline;
import org.udpknock.report.DoorEvents;
import org.udpknock.report.EventWriter;

/**
 * Runs the grant path once before capture starts, away from anything real: cold, the first
 * grant took ~30 ms to open the service port (class loading, first event formatting, first
 * thread); warm, ~0.1 ms. The listener is opened on an ephemeral loopback port, never on the
 * service port, so nothing is exposed. Each door's events are warmed, and each kind of action
 * the doors use (greet, forward, commands), not only the first door's.
 */
public final class Warmup {
  private final Thread thread;

  private Warmup(Thread thread) {
    this.thread = thread;
  }

  /**
   * Starts the warm-up of {@code doors} on a thread of its own, so that it runs while the server
   * sets up nftables and opens the capture (about 50 ms each here, much of it waiting on the
   * kernel); {@link KnockServer#run(String, Warmup)} waits for it before it says it listens.
   */
  public static Warmup start(List<DoorConfig> doors) {
    Thread thread = new Thread(() -> run(doors), "udpknock-warmup");
    thread.setDaemon(true); // A start that fails before capturing does not wait for it.
    thread.start();
    return new Warmup(thread);
  }

  /** Returns once the warm-up has run (at once if it already has). */
  void await() {
    Uninterruptibly.join(thread);
  }

  /** Every door's events, and the open path of each kind of action the doors use. */
  static void run(List<DoorConfig> doors) {
    try {
      PrintWriter sink = new PrintWriter(Writer.nullWriter());
      for (DoorConfig door : doors) {
        warmEvents(sink, door.name(), door.rules().sequence());
      }
      warmPipeline(doors, sink);
      GrantTable grants = new GrantTable(1, 1);
      grants.grant(0, 1, 0);
      grants.isGranted(0, 1, 0);
      grants.expire(1, 1);
      if (doors.stream().anyMatch(door -> door.action() == ActionKind.GREET)) {
        warmGreet(sink);
      }
      if (doors.stream().anyMatch(door -> door.action() == ActionKind.FORWARD)) {
        warmForward();
      }
      doors.stream().filter(door -> !door.commands().isEmpty()).forEach(Warmup::warmCommands);
    } catch (Exception | LinkageError e) {
      // Warming up is an optimisation: the server works without it.
    }
  }

  /** Knocked sequences from documentation addresses, often enough for the JIT to compile the path. */
  private static final int PIPELINE_ROUNDS = 700;

  /**
   * The capture thread's half: decoding, the host's rules, each door's engine and its events, on
   * a throwaway pipeline of the same doors whose grants go nowhere. Without it the first knock
   * after a start loaded the decoder's classes and ran interpreted (a class+load log showed them
   * loaded at the first knock).
   */
  static FramePipeline warmPipeline(List<DoorConfig> doors, PrintWriter sink) {
    FramePipeline pipeline = FramePipeline.of(doors, EventWriter.create(false, sink),
        DoorWiring.replay(PIPELINE_ROUNDS, Long.MIN_VALUE, false), DestinationFilter.ANY);
    long nanos = 1_000_000_000L;
    for (int round = 0; round < PIPELINE_ROUNDS; round++) {
      for (DoorConfig door : doors) {
        for (int port : door.rules().sequence().ports()) {
          byte[] frame = udpFrame(round, port);
          pipeline.onFrame(nanos++, LinkType.ETHERNET, frame, 0, frame.length);
        }
      }
    }
    return pipeline;
  }

  /**
   * The live server's destination filter, loaded with this class, so before the warm-up runs on
   * ANY's: with ANY the only filter class loaded, the JIT compiled its test into the pipeline's
   * accept, and threw that code away when the live class loaded (-XX:+PrintCompilation: accept
   * and hostAccepts "made not entrant" at 'listening', in 4 starts of 5), so the first live
   * frames ran the pipeline in the interpreter. As the capture's receiver (PcapCapture).
   */
  @SuppressWarnings("unused")
  private static final Class<?> LIVE_FILTER = LocalAddresses.class;

  /**
   * Ethernet, IPv4 from 192.0.2.0/24 (TEST-NET-1, never a real source) to 192.0.2.254, UDP to
   * {@code port}. No checksums: the decoder reads none (a capture's outgoing packets hold partial ones).
   */
  private static byte[] udpFrame(int source, int port) {
    ByteBuffer frame = ByteBuffer.allocate(14 + 20 + 8 + 1);
    frame.position(12).putShort((short) 0x0800);
    frame.put((byte) 0x45).put((byte) 0).putShort((short) 29).putInt(0).put((byte) 64).put((byte) 17)
        .putShort((short) 0).put(new byte[] {(byte) 192, 0, 2, (byte) (1 + source % 250)}).put(new byte[] {(byte) 192, 0, 2, (byte) 254});
    frame.putShort((short) 40000).putShort((short) port).putShort((short) 9).putShort((short) 0).put((byte) 'k');
    return frame.array();
  }

  private static void warmEvents(PrintWriter sink, String name, KnockSequence sequence) {
    for (boolean json : new boolean[] {false, true}) {
      EventWriter writer = EventWriter.create(json, sink);
      writer.setTimeDigits(9);
      DoorEvents door = writer.forDoor(name, sequence.length());
      door.knock(0, 0, 1, sequence.firstPort(), 1);
      door.granted(0, 0, 1);
      door.reset(0, 0, 1, ResetReason.EXPIRED);
      door.serverEvent("warmup", 0, "::1", "port", 1);
    }
  }

  /**
   * Connections to a greeting listener on an ephemeral loopback port, one granted (greeted) and
   * one refused (reset): the first accepted connection loaded the channel classes of an accept
   * (SocketChannelImpl, SocketAdaptor, ...) on the first grant's greeting. Not more: 250, past
   * the JIT's threshold, took ~75 ms more to 'listening' (by hand, 7 starts each).
   */
  private static final int CONNECTIONS = 2;

  private static void warmGreet(PrintWriter sink) throws Exception {
    ServerEvents quiet = new ServerEvents(EventWriter.create(false, sink), Clock.SYSTEM);
    AtomicInteger turn = new AtomicInteger();
    ServiceListener listener = new ServiceListener(InetAddress.getLoopbackAddress(), 0, "warm-up\n",
        address -> turn.getAndIncrement() % 2 == 0, quiet, Clock.SYSTEM, ServerConfig.DEFAULT_GREETING_TIMEOUT_NANOS, 1);
    try {
      for (int i = 0; i < 2; i++) { // The first open makes the loop; the second is a grant's, on a live loop.
        listener.open();
        listener.close();
      }
      listener.open();
      for (int i = 0; i < CONNECTIONS; i++) {
        connectOnce(listener.boundPort());
      }
    } finally {
      listener.shutdown();
    }
  }

  /** Connects and reads the greeting's first byte, or the reset of a refusal. */
  private static void connectOnce(int port) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(1_000);
      socket.getInputStream().read();
    } catch (IOException e) {
      // A refusal is a reset: half of them.
    }
  }

  /** Its thread, selector and a bind of an ephemeral loopback port; never the door's port. */
  private static void warmForward() throws Exception {
    DoorConfig door = new DoorConfig("warmup", DoorConfig.defaultDoor().rules(), 1, ActionKind.FORWARD, 0,
        InetAddress.getLoopbackAddress(), "", 1, "127.0.0.1:1", 1, 1, Commands.NONE, Sharing.NONE);
    ForwardAction forward = new ForwardAction(door, (hi, lo, now) -> false, ForwardEvents.NONE, Clock.SYSTEM);
    try {
      forward.start();
      forward.openPort();
      forward.closePort();
    } finally {
      forward.close();
    }
  }

  /** Renders the door's templates once (a command runs only on a real grant). */
  private static void warmCommands(DoorConfig door) {
    new CommandAction(door.name(), door.port(), door.commands(), new NoAction(), null, CommandListener.NONE, false);
  }
}
