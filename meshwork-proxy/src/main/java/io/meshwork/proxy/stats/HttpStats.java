package io.meshwork.proxy.stats;

/** Envoy's HTTP connection manager counters ({@code http.<stat_prefix>.*}). */
public final class HttpStats {
  public final Counter downstreamRqTotal;
  public final Counter downstreamRq2xx;
  public final Counter downstreamRq3xx;
  public final Counter downstreamRq4xx;
  public final Counter downstreamRq5xx;
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
    downstreamRqTotal = stats.counter(p + "downstream_rq_total");
    downstreamRq2xx = stats.counter(p + "downstream_rq_2xx");
    downstreamRq3xx = stats.counter(p + "downstream_rq_3xx");
    downstreamRq4xx = stats.counter(p + "downstream_rq_4xx");
    downstreamRq5xx = stats.counter(p + "downstream_rq_5xx");
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
    switch (code / 100) {
      case 2 -> downstreamRq2xx.inc();
      case 3 -> downstreamRq3xx.inc();
      case 4 -> downstreamRq4xx.inc();
      case 5 -> downstreamRq5xx.inc();
      default -> { }
    }
  }
}
