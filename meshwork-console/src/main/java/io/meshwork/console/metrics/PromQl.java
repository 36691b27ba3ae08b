package io.meshwork.console.metrics;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Builds the PromQL text of the two query shapes, exactly as Kiali writes them. */
public final class PromQl {
  private PromQl() {}

  public static String sumRate(String metric, List<Matcher> matchers, Duration window, List<String> by) {
    return "sum(rate(" + metric + selector(matchers) + "[" + window.toSeconds() + "s])) by (" + String.join(",", by) + ") > 0";
  }

  public static String histogramQuantile(double q, String base, List<Matcher> matchers, Duration window, List<String> by) {
    String groups = by.isEmpty() ? "le" : "le," + String.join(",", by);
    return "histogram_quantile(" + q + ", sum(rate(" + base + "_bucket" + selector(matchers) + "[" + window.toSeconds() + "s])) by (" + groups + "))";
  }

  static String selector(List<Matcher> matchers) {
    return matchers.stream().map(Matcher::promql).collect(Collectors.joining(",", "{", "}"));
  }
}
