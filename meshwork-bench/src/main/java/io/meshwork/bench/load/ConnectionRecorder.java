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

  public ConnectionRecorder(long windowStartNanos, long windowEndNanos) {
    this.windowStart = windowStartNanos;
    this.windowEnd = windowEndNanos;
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
    corrected.recordValue(Math.min(HIGHEST_NANOS, Math.max(0, doneNanos - intendedNanos)));
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
      corrected.recordValue(Math.min(HIGHEST_NANOS, Math.max(0, endNanos - intendedNanos)));
      unsent++;
    }
  }

  public void failed(long intendedNanos) {
    if (inWindow(intendedNanos)) {
      errors++;
    }
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
