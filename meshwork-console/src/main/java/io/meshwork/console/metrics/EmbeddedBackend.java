package io.meshwork.console.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates the two graph query shapes over the embedded {@link SeriesStore}, with PromQL's
 * semantics for {@code sum by}, {@code rate} (per-second, counter resets handled; no edge
 * extrapolation, so a steady counter gives its exact rate) and {@code histogram_quantile} (linear
 * interpolation inside the bucket, the last finite bound when the rank falls in +Inf).
 */
public final class EmbeddedBackend implements MetricsBackend {
  private final SeriesStore store;

  public EmbeddedBackend(SeriesStore store) {
    this.store = store;
  }

  @Override
  public List<Sample> sumRate(String metric, List<Matcher> matchers, Duration window, List<String> by, Instant at) {
    var sums = groupRates(metric, matchers, window, by, at);
    var out = new ArrayList<Sample>();
    sums.forEach((labels, v) -> {
      if (v > 0) {
        out.add(new Sample(labels, v));
      }
    });
    return out;
  }

  private Map<Map<String, String>, Double> groupRates(String metric, List<Matcher> matchers, Duration window, List<String> by, Instant at) {
    long to = at.toEpochMilli();
    long from = to - window.toMillis();
    // Grouped by the label values in `by` order (a list hashes and compares far cheaper than a map
    // of fifteen labels); each group's label map is built once at the end.
    var distinct = List.copyOf(new java.util.LinkedHashSet<>(by));
    var groups = new LinkedHashMap<List<String>, double[]>();
    store.select(metric, matchers, s -> {
      double r = s.rate(from, to);
      if (!Double.isNaN(r)) {
        var values = new String[distinct.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = s.labels.getOrDefault(distinct.get(i), "");
        }
        groups.computeIfAbsent(java.util.Arrays.asList(values), k -> new double[1])[0] += r;
      }
    });
    var sums = new LinkedHashMap<Map<String, String>, Double>(groups.size() * 2);
    groups.forEach((values, sum) -> {
      var key = new java.util.HashMap<String, String>(distinct.size() * 2);
      for (int i = 0; i < values.size(); i++) {
        key.put(distinct.get(i), values.get(i));
      }
      sums.put(Map.copyOf(key), sum[0]);
    });
    return sums;
  }

  @Override
  public List<Sample> histogramQuantile(double q, String base, List<Matcher> matchers, Duration window, List<String> by, Instant at) {
    var withLe = new ArrayList<String>(by);
    withLe.add("le");
    var buckets = new LinkedHashMap<Map<String, String>, TreeMap<Double, Double>>();
    groupRates(base + "_bucket", matchers, window, withLe, at).forEach((labels, rate) -> {
      var group = new TreeMap<>(labels);
      double le = parseLe(group.remove("le"));
      buckets.computeIfAbsent(Map.copyOf(group), k -> new TreeMap<>()).merge(le, rate, Double::sum);
    });
    var out = new ArrayList<Sample>();
    buckets.forEach((labels, b) -> {
      double v = quantile(q, b);
      if (!Double.isNaN(v)) {
        out.add(new Sample(labels, v));
      }
    });
    return out;
  }

  private static double parseLe(String le) {
    return le == null || le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
  }

  /** Prometheus's bucketQuantile over cumulative bucket counts keyed by upper bound. */
  static double quantile(double q, TreeMap<Double, Double> cumulative) {
    if (cumulative.isEmpty() || cumulative.lastKey() != Double.POSITIVE_INFINITY) {
      return Double.NaN;
    }
    double total = cumulative.lastEntry().getValue();
    if (total <= 0) {
      return Double.NaN;
    }
    double rank = q * total;
    double prevBound = 0;
    double prevCount = 0;
    for (var e : cumulative.entrySet()) {
      if (e.getValue() >= rank) {
        if (e.getKey() == Double.POSITIVE_INFINITY) {
          return prevBound;
        }
        double inBucket = e.getValue() - prevCount;
        double start = prevBound;
        if (cumulative.firstKey().equals(e.getKey()) && e.getKey() <= 0) {
          return e.getKey();
        }
        return inBucket == 0 ? e.getKey() : start + (e.getKey() - start) * ((rank - prevCount) / inBucket);
      }
      prevBound = e.getKey();
      prevCount = e.getValue();
    }
    return prevBound;
  }
}
