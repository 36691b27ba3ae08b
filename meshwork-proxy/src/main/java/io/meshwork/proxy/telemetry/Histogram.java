package io.meshwork.proxy.telemetry;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fixed-bucket histogram safe to record from any event loop without locks: one {@link LongAdder}
 * per bucket (non-cumulative; rendering accumulates), a sum and a count.
 */
public final class Histogram {
  /**
   * Envoy's default bucket bounds, which Istio uses for {@code istio_request_duration_milliseconds}
   * and, since telemetry v2, for {@code istio_request_bytes} and {@code istio_response_bytes}.
   */
  public static final double[] ISTIO_BUCKETS = {0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000,
      60000, 300000, 600000, 1800000, 3600000};

  private final double[] bounds;
  private final LongAdder[] counts;
  private final DoubleAdder sum = new DoubleAdder();
  private final LongAdder count = new LongAdder();

  public Histogram(double[] bounds) {
    this.bounds = bounds;
    counts = new LongAdder[bounds.length + 1];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = new LongAdder();
    }
  }

  public void record(double value) {
    int i = 0;
    while (i < bounds.length && value > bounds[i]) {
      i++;
    }
    counts[i].increment();
    sum.add(value);
    count.increment();
  }

  double[] bounds() {
    return bounds;
  }

  /** Cumulative counts per bound, the last one being {@code +Inf} (equal to {@link #count()} when quiet). */
  long[] cumulative() {
    var out = new long[counts.length];
    long acc = 0;
    for (int i = 0; i < counts.length; i++) {
      acc += counts[i].sum();
      out[i] = acc;
    }
    return out;
  }

  double sum() {
    return sum.sum();
  }

  long count() {
    return count.sum();
  }
}
