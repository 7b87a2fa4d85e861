package org.udpknock.fleet;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** What a store handed back, in order, for a test to take: each call is one {@link Event}. */
public final class RecordingReceiver implements GrantStore.Receiver {
  /** One call: kind {@code received} (grant, host), {@code refused} (reason, detail), {@code lost} (detail), {@code resumed} (loaded, republished). */
  public record Event(String kind, SharedGrant grant, String host, String reason, String detail, int loaded,
      int republished) {}

  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();

  @Override
  public void received(SharedGrant grant, String host) {
    events.add(new Event("received", grant, host, null, null, 0, 0));
  }

  @Override
  public void refused(String reason, String detail) {
    events.add(new Event("refused", null, null, reason, detail, 0, 0));
  }

  @Override
  public void lost(String why) {
    events.add(new Event("lost", null, null, null, why, 0, 0));
  }

  @Override
  public void resumed(int loaded, int republished) {
    events.add(new Event("resumed", null, null, null, null, loaded, republished));
  }

  /** The next event of {@code kind}, within {@code seconds}; the events of other kinds before it are passed over. */
  public Event next(String kind, long seconds) throws InterruptedException {
    return next(kind, event -> true, seconds);
  }

  /** The next event of {@code kind} that {@code matches}, within {@code seconds}; the others before it are passed over. */
  public Event next(String kind, Predicate<Event> matches, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Event> passed = new ArrayList<>();
    for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
      Event event = events.poll(left, TimeUnit.NANOSECONDS);
      if (event != null && event.kind().equals(kind) && matches.test(event)) {
        return event;
      }
      if (event != null) {
        passed.add(event);
      }
    }
    return fail("no " + kind + " event within " + seconds + " s; passed over: " + passed);
  }

  /** The events up to the next of {@code kind} (which is last), within {@code seconds}. */
  public List<Event> upTo(String kind, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Event> taken = new ArrayList<>();
    for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
      Event event = events.poll(left, TimeUnit.NANOSECONDS);
      if (event != null) {
        taken.add(event);
        if (event.kind().equals(kind)) {
          return taken;
        }
      }
    }
    return fail("no " + kind + " event within " + seconds + " s; taken: " + taken);
  }

  /** The events not taken yet, taken now. */
  public List<Event> drain() {
    List<Event> left = new ArrayList<>();
    events.drainTo(left);
    return left;
  }
}
