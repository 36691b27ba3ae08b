package io.meshwork.console.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The two query shapes Kiali's graph needs, so the graph does not care whether the numbers come
 * from the embedded store or from Prometheus:
 * {@code sum(rate(metric{matchers}[window])) by (by)} and
 * {@code histogram_quantile(q, sum(rate(metric_bucket{matchers}[window])) by (le, by))}.
 */
public interface MetricsBackend {
  List<Sample> sumRate(String metric, List<Matcher> matchers, Duration window, List<String> by, Instant at);

  /** {@code histogramBase} is the histogram's name without {@code _bucket}. */
  List<Sample> histogramQuantile(double q, String histogramBase, List<Matcher> matchers, Duration window, List<String> by, Instant at);
}
