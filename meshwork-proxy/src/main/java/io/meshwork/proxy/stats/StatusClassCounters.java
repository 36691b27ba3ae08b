package io.meshwork.proxy.stats;

/**
 * Envoy's per-class response counters ({@code <prefix>_rq_2xx} ... {@code _5xx}), shared by the
 * listener (downstream) and cluster (upstream) stats.
 */
final class StatusClassCounters {
  private final Counter c2xx;
  private final Counter c3xx;
  private final Counter c4xx;
  private final Counter c5xx;

  /** Registers {@code prefix + "2xx"} ... {@code prefix + "5xx"}, e.g. prefix {@code cluster.x.upstream_rq_}. */
  StatusClassCounters(Stats stats, String prefix) {
    c2xx = stats.counter(prefix + "2xx");
    c3xx = stats.counter(prefix + "3xx");
    c4xx = stats.counter(prefix + "4xx");
    c5xx = stats.counter(prefix + "5xx");
  }

  /** Counts a response status in its class; other classes (1xx) are not counted, as in Envoy. */
  void count(int code) {
    switch (code / 100) {
      case 2 -> c2xx.inc();
      case 3 -> c3xx.inc();
      case 4 -> c4xx.inc();
      case 5 -> c5xx.inc();
      default -> { }
    }
  }
}
