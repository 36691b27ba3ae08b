package io.meshwork.bench.load;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One connection's measurements in one phase. It is written only by the connection's event loop and
 * read by the coordinator after the phase has drained, so it needs no locks. Only requests whose
 * intended start lies in the measured window are recorded; warm-up requests are not.
 */
public final class ConnectionRecorder {
  static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(120);

  final Histogram corrected = new Histogram(HIGHEST_NANOS, 3);
  final Histogram uncorrected = new Histogram(HIGHEST_NANOS, 3);
  long sentInWindow;
  long completed;
  long unsent;
  long errors;

  private final long windowStart;
  private final long windowEnd;
  /** Per-window recording of an alternating phase (null otherwise): window index and corrected latency of each request. */
  private final Alternation alternation;
  private final int windows;
  /**
   * The judged requests of an alternating phase, each packed as window index (high bits) and
   * corrected latency (low {@link #LATENCY_BITS}), in chunks of {@link #CHUNK} that are never copied.
   * Arrays grown by doubling did harm here: the 16 connections' arrays all doubled at the same
   * moment (at 16,384 and 32,768 entries, in windows 18 and 35 of 40 at 10,000/s), each doubling a
   * copy into a new array of 0.5-0.8 MB, which G1 allocates as a humongous object; session 7 saw those
   * windows slow in run after run, with GC threads busy and pauses up to 25 ms.
   */
  private final java.util.ArrayList<long[]> windowChunks = new java.util.ArrayList<>();
  int windowed;
  static final int CHUNK = 4096;
  static final int LATENCY_BITS = 40; // 2^40 ns is over 18 minutes, above HIGHEST_NANOS

  public ConnectionRecorder(long windowStartNanos, long windowEndNanos) {
    this(windowStartNanos, windowEndNanos, null);
  }

  ConnectionRecorder(long windowStartNanos, long windowEndNanos, Alternation alternation) {
    this.windowStart = windowStartNanos;
    this.windowEnd = windowEndNanos;
    this.alternation = alternation;
    this.windows = alternation == null ? 0 : alternation.windows((windowEndNanos - windowStartNanos) / 1_000_000);
  }

  private void recordCorrected(long intendedNanos, long nanos) {
    long v = Math.min(HIGHEST_NANOS, Math.max(0, nanos));
    corrected.recordValue(v);
    if (alternation == null) {
      return;
    }
    long since = intendedNanos - windowStart;
    long w = alternation.window(since);
    if (w >= windows || alternation.settling(since)) {
      return;
    }
    int slot = windowed % CHUNK;
    if (slot == 0) {
      windowChunks.add(new long[CHUNK]);
    }
    windowChunks.get(windowed / CHUNK)[slot] = (w << LATENCY_BITS) | v;
    windowed++;
  }

  /** Whether a request meant to start at {@code intendedNanos} belongs to the measurement. */
  public boolean inWindow(long intendedNanos) {
    return intendedNanos >= windowStart && intendedNanos < windowEnd;
  }

  public void sent(long intendedNanos) {
    if (inWindow(intendedNanos)) {
      sentInWindow++;
    }
  }

  /**
   * Records a completed request: latency from the intended start (coordinated-omission corrected)
   * and from the actual send. Returns whether it counted.
   */
  public boolean completed(long intendedNanos, long sentNanos, long doneNanos, boolean ok) {
    if (!inWindow(intendedNanos)) {
      return false;
    }
    recordCorrected(intendedNanos, doneNanos - intendedNanos);
    uncorrected.recordValue(Math.min(HIGHEST_NANOS, Math.max(0, doneNanos - sentNanos)));
    completed++;
    if (!ok) {
      errors++;
    }
    return true;
  }

  /**
   * A request meant to start in the window that was never sent because its connection was still
   * busy when the window closed at {@code endNanos}. It waited at least {@code end - intended}, so
   * that lower bound goes into the corrected latencies (leaving it out would hide the stall), and it
   * is counted as missed, not as a completed request.
   */
  public void unsent(long intendedNanos, long endNanos) {
    if (inWindow(intendedNanos)) {
      recordCorrected(intendedNanos, endNanos - intendedNanos);
      unsent++;
    }
  }

  public void failed(long intendedNanos) {
    if (inWindow(intendedNanos)) {
      errors++;
    }
  }

  /**
   * The per-window latencies of an alternating phase ({@link Alternation}), merged over connections:
   * one histogram per whole window, at two significant digits (a p99 to within 1%, and cheap to add
   * up many times over in a bootstrap).
   */
  static java.util.List<Histogram> mergeWindows(Iterable<ConnectionRecorder> recorders, int windows) {
    var out = new java.util.ArrayList<Histogram>(windows);
    for (int w = 0; w < windows; w++) {
      out.add(new Histogram(HIGHEST_NANOS, 2));
    }
    long latencyMask = (1L << LATENCY_BITS) - 1;
    for (var r : recorders) {
      for (int i = 0; i < r.windowed; i++) {
        long e = r.windowChunks.get(i / CHUNK)[i % CHUNK];
        out.get((int) (e >>> LATENCY_BITS)).recordValue(e & latencyMask);
      }
    }
    return out;
  }

  /**
   * Merges connections into a phase result. {@code windowNanos} is the measured window actually run
   * (shorter than planned when a request bound stopped it); {@code intended} is how many requests the
   * open-loop schedule meant to start in it (ignored in closed loop).
   */
  public static PhaseResult merge(Phase phase, Iterable<ConnectionRecorder> recorders, long windowNanos, long intended) {
    var all = new Histogram(HIGHEST_NANOS, 3);
    var raw = new Histogram(HIGHEST_NANOS, 3);
    long errors = 0;
    long sent = 0;
    long requests = 0;
    long unsent = 0;
    for (var r : recorders) {
      all.add(r.corrected);
      raw.add(r.uncorrected);
      errors += r.errors;
      sent += r.sentInWindow;
      requests += r.completed;
      unsent += r.unsent;
    }
    long missed = phase.closedLoop() ? 0 : Math.max(unsent, intended - sent);
    return new PhaseResult(phase.name(), phase.closedLoop(), phase.rate(), windowNanos / 1e9, requests, errors, missed,
        PhaseResult.throughput(requests, windowNanos), LatencyStats.of(all), LatencyStats.of(raw));
  }
}
