package io.meshwork.proxy.stats;

/** Envoy's per-cluster counters ({@code cluster.<name>.*}). */
public final class ClusterStats {
  private final StatusClassCounters statusClasses;
  public final Counter upstreamRqTotal;
  public final Counter upstreamRqRetry;
  public final Counter upstreamRqRetrySuccess;
  public final Counter upstreamRqRetryLimitExceeded;
  public final Counter upstreamRqTimeout;
  public final Counter upstreamRqPerTryTimeout;
  public final Counter upstreamCxTotal;
  public final Counter upstreamCxConnectFail;
  public final Counter upstreamCxConnectTimeout;
  /** Connections retired because they carried {@code max_requests_per_connection} requests. */
  public final Counter upstreamCxMaxRequests;
  /** Pooled connections closed after {@code common_http_protocol_options.idle_timeout} without a request. */
  public final Counter upstreamCxIdleTimeout;
  public final Counter upstreamRqCancelled;
  public final Counter upstreamCxDestroyRemote;
  /** Envoy's {@code upstream_cx_protocol_error}: a response that was not valid HTTP (the connection is closed). */
  public final Counter upstreamCxProtocolError;
  public final Counter upstreamRqPendingFailureEject;
  public final Counter upstreamCxNoneHealthy;
  public final Counter upstreamRqPendingOverflow;
  public final Counter upstreamRqRetryOverflow;
  public final Counter upstreamCxOverflow;
  /** Requests that waited for a connection or a stream (Envoy's {@code upstream_rq_pending_total}). */
  public final Counter upstreamRqPendingTotal;

  public ClusterStats(Stats stats, String cluster) {
    var p = "cluster." + cluster + ".";
    statusClasses = new StatusClassCounters(stats, p + "upstream_rq_");
    upstreamRqTotal = stats.counter(p + "upstream_rq_total");
    upstreamRqRetry = stats.counter(p + "upstream_rq_retry");
    upstreamRqRetrySuccess = stats.counter(p + "upstream_rq_retry_success");
    upstreamRqRetryLimitExceeded = stats.counter(p + "upstream_rq_retry_limit_exceeded");
    upstreamRqTimeout = stats.counter(p + "upstream_rq_timeout");
    upstreamRqPerTryTimeout = stats.counter(p + "upstream_rq_per_try_timeout");
    upstreamCxTotal = stats.counter(p + "upstream_cx_total");
    upstreamCxConnectFail = stats.counter(p + "upstream_cx_connect_fail");
    upstreamCxConnectTimeout = stats.counter(p + "upstream_cx_connect_timeout");
    upstreamCxMaxRequests = stats.counter(p + "upstream_cx_max_requests");
    upstreamCxIdleTimeout = stats.counter(p + "upstream_cx_idle_timeout");
    upstreamRqCancelled = stats.counter(p + "upstream_rq_cancelled");
    upstreamCxDestroyRemote = stats.counter(p + "upstream_cx_destroy_remote");
    upstreamCxProtocolError = stats.counter(p + "upstream_cx_protocol_error");
    upstreamRqPendingFailureEject = stats.counter(p + "upstream_rq_pending_failure_eject");
    upstreamCxNoneHealthy = stats.counter(p + "upstream_cx_none_healthy");
    upstreamRqPendingOverflow = stats.counter(p + "upstream_rq_pending_overflow");
    upstreamRqRetryOverflow = stats.counter(p + "upstream_rq_retry_overflow");
    upstreamCxOverflow = stats.counter(p + "upstream_cx_overflow");
    upstreamRqPendingTotal = stats.counter(p + "upstream_rq_pending_total");
  }

  /** Counts a response status in its class. */
  public void status(int code) {
    statusClasses.count(code);
  }
}
