package org.udpknock.report;

import java.util.Arrays;
import jdk.internal.vm.annotation.Contended;
import org.udpknock.auth.Verdict;
import org.udpknock.core.ResetReason;

/**
 * Door events recorded instead of written, to be written later, in the same order, by another
 * thread: replay's delivering thread, which runs the engines, records them (a few array stores
 * each), and the reading thread writes them (formatting a line costs more than judging a
 * datagram). Each event keeps the time precision of the datagram it came from. While an
 * {@link EventWriter} {@linkplain EventWriter#deferTo defers} to one, every {@link DoorEvents}
 * of that writer records into it; {@link #writeAll} then makes the very calls the doors would
 * have made. Reused: {@link #clear} empties it without freeing its arrays. Not thread-safe:
 * the caller hands it from thread to thread with a happens-before edge (a lock, a queue).
 */
// Padded from its neighbours in memory (false sharing): written at every event by
// the thread that runs the doors; see BatchedReplay.
@Contended
public final class DeferredEvents {
  private static final int KNOCK = 0;
  private static final int GRANTED = 1;
  private static final int RESET = 2;
  private static final int GUARD = 3;
  private static final int BLOCKED = 4;
  private static final int CAPPED = 5;
  private static final int REJECTED = 6;

  private int size;
  private int timeDigits = -1;
  private byte[] kinds = new byte[256];
  private DoorEvents[] doors = new DoorEvents[256];
  private int[] digits = new int[256];
  private long[] times = new long[256];
  private long[] sourceHi = new long[256];
  private long[] sourceLo = new long[256];
  /** The port, or a capped table's capacity. */
  private int[] numbers = new int[256];
  private int[] stages = new int[256];
  /** The reset's reason, or the rejection's verdict. */
  private Object[] reasons = new Object[256];

  /** The time precision of the events recorded from now on (see {@link EventWriter#setTimeDigits}). */
  public void setTimeDigits(int digits) {
    timeDigits = digits;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  void knock(DoorEvents door, long timeNanos, long hi, long lo, int port, int stage) {
    add(KNOCK, door, timeNanos, hi, lo, port, stage, null);
  }

  void granted(DoorEvents door, long timeNanos, long hi, long lo) {
    add(GRANTED, door, timeNanos, hi, lo, 0, 0, null);
  }

  void reset(DoorEvents door, long timeNanos, long hi, long lo, ResetReason reason) {
    add(RESET, door, timeNanos, hi, lo, 0, 0, reason);
  }

  void guardTripped(DoorEvents door, long timeNanos, long hi, long lo, int port) {
    add(GUARD, door, timeNanos, hi, lo, port, 0, null);
  }

  void knockBlocked(DoorEvents door, long timeNanos, long hi, long lo, int port) {
    add(BLOCKED, door, timeNanos, hi, lo, port, 0, null);
  }

  void trackingCapped(DoorEvents door, long timeNanos, int capacity) {
    add(CAPPED, door, timeNanos, 0, 0, capacity, 0, null);
  }

  void rejected(DoorEvents door, long timeNanos, long hi, long lo, int port, Verdict reason) {
    add(REJECTED, door, timeNanos, hi, lo, port, 0, reason);
  }

  /** Writes every event recorded, in order, each at its own time precision, and empties this. */
  public void writeAll() {
    int set = -1;
    for (int i = 0; i < size; i++) {
      DoorEvents door = doors[i];
      if (digits[i] >= 0 && digits[i] != set) { // a volatile write: once a run of equal digits
        set = digits[i];
        door.writer().setTimeDigits(set);
      }
      write(i, door);
    }
    clear();
  }

  private void write(int i, DoorEvents door) {
    switch (kinds[i]) {
      case KNOCK -> door.writeKnock(times[i], sourceHi[i], sourceLo[i], numbers[i], stages[i]);
      case GRANTED -> door.writeGranted(times[i], sourceHi[i], sourceLo[i]);
      case RESET -> door.writeReset(times[i], sourceHi[i], sourceLo[i], (ResetReason) reasons[i]);
      case GUARD -> door.writeGuardTripped(times[i], sourceHi[i], sourceLo[i], numbers[i]);
      case BLOCKED -> door.writeKnockBlocked(times[i], sourceHi[i], sourceLo[i], numbers[i]);
      case CAPPED -> door.writeTrackingCapped(times[i], numbers[i]);
      default -> door.writeRejected(times[i], sourceHi[i], sourceLo[i], numbers[i], (Verdict) reasons[i]);
    }
  }

  /** Drops what is recorded (the references too, so nothing is kept alive) and the time precision. */
  public void clear() {
    Arrays.fill(doors, 0, size, null);
    Arrays.fill(reasons, 0, size, null);
    size = 0;
    timeDigits = -1;
  }

  private void add(int kind, DoorEvents door, long timeNanos, long hi, long lo, int number, int stage,
      Object reason) {
    if (size == kinds.length) {
      grow();
    }
    kinds[size] = (byte) kind;
    doors[size] = door;
    digits[size] = timeDigits;
    times[size] = timeNanos;
    sourceHi[size] = hi;
    sourceLo[size] = lo;
    numbers[size] = number;
    stages[size] = stage;
    reasons[size] = reason;
    size++;
  }

  private void grow() {
    int length = 2 * kinds.length;
    kinds = Arrays.copyOf(kinds, length);
    doors = Arrays.copyOf(doors, length);
    digits = Arrays.copyOf(digits, length);
    times = Arrays.copyOf(times, length);
    sourceHi = Arrays.copyOf(sourceHi, length);
    sourceLo = Arrays.copyOf(sourceLo, length);
    numbers = Arrays.copyOf(numbers, length);
    stages = Arrays.copyOf(stages, length);
    reasons = Arrays.copyOf(reasons, length);
  }
}
