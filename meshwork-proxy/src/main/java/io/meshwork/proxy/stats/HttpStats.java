package io.meshwork.proxy.stats;

/** Envoy's HTTP connection manager counters ({@code http.<stat_prefix>.*}). */
public final class HttpStats {
  private final StatusClassCounters statusClasses;
  public final Counter downstreamRqTotal;
  public final Counter downstreamCxTotal;
  public final Counter downstreamCxProtocolError;
  public final Counter downstreamRqRxReset;
  public final Counter noRoute;
  public final Counter rqDirectResponse;
  public final Counter rqRedirect;
  public final Counter downstreamCxIdleTimeout;
  public final Counter faultAbortsInjected;
  public final Counter faultDelaysInjected;

  public HttpStats(Stats stats, String prefix) {
    var p = "http." + prefix + ".";
    statusClasses = new StatusClassCounters(stats, p + "downstream_rq_");
    downstreamRqTotal = stats.counter(p + "downstream_rq_total");
    downstreamCxTotal = stats.counter(p + "downstream_cx_total");
    downstreamCxProtocolError = stats.counter(p + "downstream_cx_protocol_error");
    downstreamRqRxReset = stats.counter(p + "downstream_rq_rx_reset");
    noRoute = stats.counter(p + "no_route");
    rqDirectResponse = stats.counter(p + "rq_direct_response");
    rqRedirect = stats.counter(p + "rq_redirect");
    downstreamCxIdleTimeout = stats.counter(p + "downstream_cx_idle_timeout");
    faultAbortsInjected = stats.counter(p + "fault.aborts_injected");
    faultDelaysInjected = stats.counter(p + "fault.delays_injected");
  }

  public void status(int code) {
    statusClasses.count(code);
  }
}
