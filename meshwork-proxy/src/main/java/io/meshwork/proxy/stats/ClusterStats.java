package io.meshwork.proxy.stats;

/** Envoy's per-cluster counters ({@code cluster.<name>.*}). */
public final class ClusterStats {
  public final Counter upstreamRqTotal;
  public final Counter upstreamRqRetry;
  public final Counter upstreamRqRetrySuccess;
  public final Counter upstreamRqRetryLimitExceeded;
  public final Counter upstreamRqTimeout;
  public final Counter upstreamRqPerTryTimeout;
  public final Counter upstreamRq2xx;
  public final Counter upstreamRq3xx;
  public final Counter upstreamRq4xx;
  public final Counter upstreamRq5xx;
  public final Counter upstreamCxTotal;
  public final Counter upstreamCxConnectFail;
  public final Counter upstreamCxConnectTimeout;
  public final Counter upstreamRqCancelled;
  public final Counter upstreamCxDestroyRemote;
  public final Counter upstreamRqPendingFailureEject;
  public final Counter upstreamCxNoneHealthy;
  public final Counter upstreamRqPendingOverflow;
  public final Counter upstreamRqRetryOverflow;
  public final Counter upstreamCxOverflow;

  public ClusterStats(Stats stats, String cluster) {
    var p = "cluster." + cluster + ".";
    upstreamRqTotal = stats.counter(p + "upstream_rq_total");
    upstreamRqRetry = stats.counter(p + "upstream_rq_retry");
    upstreamRqRetrySuccess = stats.counter(p + "upstream_rq_retry_success");
    upstreamRqRetryLimitExceeded = stats.counter(p + "upstream_rq_retry_limit_exceeded");
    upstreamRqTimeout = stats.counter(p + "upstream_rq_timeout");
    upstreamRqPerTryTimeout = stats.counter(p + "upstream_rq_per_try_timeout");
    upstreamRq2xx = stats.counter(p + "upstream_rq_2xx");
    upstreamRq3xx = stats.counter(p + "upstream_rq_3xx");
    upstreamRq4xx = stats.counter(p + "upstream_rq_4xx");
    upstreamRq5xx = stats.counter(p + "upstream_rq_5xx");
    upstreamCxTotal = stats.counter(p + "upstream_cx_total");
    upstreamCxConnectFail = stats.counter(p + "upstream_cx_connect_fail");
    upstreamCxConnectTimeout = stats.counter(p + "upstream_cx_connect_timeout");
    upstreamRqCancelled = stats.counter(p + "upstream_rq_cancelled");
    upstreamCxDestroyRemote = stats.counter(p + "upstream_cx_destroy_remote");
    upstreamRqPendingFailureEject = stats.counter(p + "upstream_rq_pending_failure_eject");
    upstreamCxNoneHealthy = stats.counter(p + "upstream_cx_none_healthy");
    upstreamRqPendingOverflow = stats.counter(p + "upstream_rq_pending_overflow");
    upstreamRqRetryOverflow = stats.counter(p + "upstream_rq_retry_overflow");
    upstreamCxOverflow = stats.counter(p + "upstream_cx_overflow");
  }

  /** Counts a response status in its class. */
  public void status(int code) {
    switch (code / 100) {
      case 2 -> upstreamRq2xx.inc();
      case 3 -> upstreamRq3xx.inc();
      case 4 -> upstreamRq4xx.inc();
      case 5 -> upstreamRq5xx.inc();
      default -> { }
    }
  }
}
