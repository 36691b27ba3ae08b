package io.meshwork.bench.load;

import org.HdrHistogram.Histogram;

/** Latency percentiles in milliseconds, read from a nanosecond HdrHistogram. */
public record LatencyStats(long count, double p50, double p90, double p99, double p999, double max, double mean) {
  public static final LatencyStats EMPTY = new LatencyStats(0, 0, 0, 0, 0, 0, 0);

  public static LatencyStats of(Histogram nanos) {
    if (nanos.getTotalCount() == 0) {
      return EMPTY;
    }
    return new LatencyStats(nanos.getTotalCount(), ms(nanos.getValueAtPercentile(50)), ms(nanos.getValueAtPercentile(90)),
        ms(nanos.getValueAtPercentile(99)), ms(nanos.getValueAtPercentile(99.9)), ms(nanos.getMaxValue()), nanos.getMean() / 1e6);
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
