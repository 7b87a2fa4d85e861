package org.udpknock.auth;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.MessageDigest;
import javax.crypto.Mac;
import org.udpknock.core.KnockSequence;

/**
 * Checks authenticated knocks before they reach the engine, in this order: length and version
 * ({@code malformed}, or {@code old-version} for a whole version 1 payload), tag over the payload
 * and this server's id ({@code bad-tag}), stage ({@code wrong-stage}), timestamp against the
 * packet's time: at most the skew behind it, at most max-ahead ahead of it ({@code stale}),
 * timestamp against the start of this run ({@code before-start}), nonce ({@code replayed}).
 * Only a knock that passes them all is accepted, and only then is its nonce remembered.
 *
 * <p>The nonce cache lives in memory only, so a knock an earlier run (stopped or crashed) could
 * have accepted must be refused. Such a knock was seen before this run's start S, and its stamp
 * was then at most max-ahead ahead of its packet time, so it is stamped before S + max-ahead; a
 * knock signed before S by a client at most max-ahead ahead is too. Every knock stamped before
 * S + max-ahead is refused: that closes replays across a restart or a crash without writing
 * anything to disk, at the price of refusing every knock for max-ahead after the start.
 *
 * <p>Time is the packet's timestamp, never the wall clock, so replays of captures judge knocks
 * as the live server did. Packet time may step back (a clock step, or a capture replayed after
 * itself): a nonce purged from the cache must not then pass again, so a knock is also stale
 * when its timestamp is more than the skew older than the newest packet time seen, which is the
 * very time purging goes by.
 *
 * <p>Not thread-safe: one thread feeds it. Its own work allocates nothing per packet; the
 * JDK's {@code Mac.doFinal} allocates the 32-byte tag it then copies out.
 */
public final class KnockVerifier {
  /** Expired nonces purged per knock: bounds one packet's work, yet keeps ahead of additions. */
  private static final int PURGE_BUDGET = 4;
  private static final Verdict[] VERDICTS = Verdict.values();
  /**
   * The counts are written by the thread that verifies and read by any (metrics, at scrape
   * time): opaque, so that a read gets a whole long, at most a moment stale; the write is a plain
   * store on x86 and ARM.
   */
  private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);

  private final KnockSequence sequence;
  private final long maxSkewNanos;
  private final long maxAheadNanos;
  private final long firstStampNanos;
  private final byte[] serverSuffix;
  private final Mac mac;
  private final NonceCache nonces;
  private final byte[] expectedTag = new byte[AuthPayload.TAG_LENGTH];
  private final byte[] receivedTag = new byte[AuthPayload.TAG_LENGTH];
  private final long[] counts = new long[VERDICTS.length];
  private long newestNanos = Long.MIN_VALUE;

  /**
   * A verifier for the server {@code server} of a run started at {@code startNanos} ({@code
   * Long.MIN_VALUE}: no start bound), accepting stamps from {@code maxSkewNanos} behind to
   * {@code maxAheadNanos} ahead of the packet's time.
   */
  public KnockVerifier(KnockKey key, ServerId server, KnockSequence sequence, long maxSkewNanos,
      long maxAheadNanos, int cacheCapacity, long startNanos) {
    if (maxSkewNanos < 0) {
      throw new IllegalArgumentException("maxSkewNanos < 0: " + maxSkewNanos);
    }
    if (maxAheadNanos < 0) {
      throw new IllegalArgumentException("maxAheadNanos < 0: " + maxAheadNanos);
    }
    this.sequence = sequence;
    this.maxSkewNanos = maxSkewNanos;
    this.maxAheadNanos = maxAheadNanos;
    this.firstStampNanos = firstStampAfter(startNanos, maxAheadNanos);
    this.serverSuffix = server.tagSuffix();
    this.mac = key.newMac();
    this.nonces = new NonceCache(cacheCapacity);
  }

  /**
   * Judges the payload of a datagram to {@code port} seen at {@code timeNanos}: {@code length}
   * bytes of {@code f} from {@code offset}, all of it when {@code complete}.
   */
  public Verdict verify(long timeNanos, int port, byte[] f, int offset, int length, boolean complete) {
    Verdict verdict = judge(timeNanos, port, f, offset, length, complete);
    int index = verdict.ordinal();
    COUNT.setOpaque(counts, index, counts[index] + 1);
    return verdict;
  }

  private Verdict judge(long timeNanos, int port, byte[] f, int offset, int length, boolean complete) {
    newestNanos = Math.max(newestNanos, timeNanos);
    nonces.purge(newestNanos, PURGE_BUDGET);
    if (!complete || length != AuthPayload.LENGTH) {
      return Verdict.MALFORMED;
    }
    int version = AuthPayload.version(f, offset);
    if (version != AuthPayload.VERSION) {
      return version == AuthPayload.OLD_VERSION ? Verdict.OLD_VERSION : Verdict.MALFORMED;
    }
    if (!tagMatches(f, offset)) {
      return Verdict.BAD_TAG;
    }
    int stage = AuthPayload.stage(f, offset);
    if (stage < 1 || stage > sequence.length() || sequence.port(stage - 1) != port) {
      return Verdict.WRONG_STAGE;
    }
    long stamped = AuthPayload.timestampNanos(f, offset);
    if (!within(stamped, timeNanos) || isBehindNewest(stamped)) {
      return Verdict.STALE;
    }
    if (stamped < firstStampNanos) {
      return Verdict.BEFORE_START;
    }
    long hi = AuthPayload.nonceHi(f, offset);
    long lo = AuthPayload.nonceLo(f, offset);
    if (nonces.contains(hi, lo)) {
      return Verdict.REPLAYED;
    }
    if (nonces.isFull()) {
      return Verdict.CACHE_FULL;
    }
    nonces.add(hi, lo, saturatedAdd(stamped, maxSkewNanos));
    return Verdict.ACCEPTED;
  }

  /** Constant time: MessageDigest.isEqual does not stop at the first differing byte. */
  private boolean tagMatches(byte[] f, int offset) {
    AuthPayload.sign(mac, serverSuffix, f, offset, expectedTag, 0);
    System.arraycopy(f, offset + AuthPayload.TAG_OFFSET, receivedTag, 0, AuthPayload.TAG_LENGTH);
    return MessageDigest.isEqual(expectedTag, receivedTag);
  }

  /**
   * The first stamp accepted in a run started at {@code startNanos} ({@code Long.MIN_VALUE}: no
   * bound): {@code startNanos + maxAheadNanos}, saturated at the end of the range.
   */
  public static long firstStampAfter(long startNanos, long maxAheadNanos) {
    return startNanos == Long.MIN_VALUE ? Long.MIN_VALUE : saturatedAdd(startNanos, maxAheadNanos);
  }

  /** Stamp a at most the skew behind b and at most max-ahead ahead of it, without overflow. */
  private boolean within(long a, long b) {
    long difference = a - b;
    boolean overflowed = ((a ^ b) & (a ^ difference)) < 0;
    return !overflowed && difference >= -maxSkewNanos && difference <= maxAheadNanos;
  }

  /** Older than the newest packet time by more than the skew: its nonce may have been purged. */
  private boolean isBehindNewest(long stamped) {
    return stamped < newestNanos && !within(stamped, newestNanos);
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  /** From any thread. */
  public long count(Verdict verdict) {
    return (long) COUNT.getOpaque(counts, verdict.ordinal());
  }

  /** Datagrams refused, all reasons together. */
  public long rejected() {
    long total = 0;
    for (Verdict verdict : VERDICTS) {
      total += verdict == Verdict.ACCEPTED ? 0 : count(verdict);
    }
    return total;
  }

  /** Nonces remembered now. */
  public int cachedNonces() {
    return nonces.size();
  }
}
