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
  /** Connections closed because the request head did not arrive within {@code request_headers_timeout}. */
  public final Counter downstreamRqHeaderTimeout;
  public final Counter faultAbortsInjected;
  public final Counter faultDelaysInjected;
  /** Envoy's RBAC filter counters: enforced, shadow and LOG (AUDIT) decisions. */
  public final Counter rbacAllowed;
  public final Counter rbacDenied;
  public final Counter rbacShadowAllowed;
  public final Counter rbacShadowDenied;
  public final Counter rbacLogged;
  public final Counter rbacNotLogged;
  /** Envoy's {@code jwt_authn} counters. */
  public final Counter jwtAllowed;
  public final Counter jwtDenied;
  /** HTTP/2 connections closed for flooding PING or SETTINGS frames. */
  public final Counter http2ControlFlood;

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
    downstreamRqHeaderTimeout = stats.counter(p + "downstream_rq_header_timeout");
    faultAbortsInjected = stats.counter(p + "fault.aborts_injected");
    faultDelaysInjected = stats.counter(p + "fault.delays_injected");
    rbacAllowed = stats.counter(p + "rbac.allowed");
    rbacDenied = stats.counter(p + "rbac.denied");
    rbacShadowAllowed = stats.counter(p + "rbac.shadow_allowed");
    rbacShadowDenied = stats.counter(p + "rbac.shadow_denied");
    rbacLogged = stats.counter(p + "rbac.logged");
    rbacNotLogged = stats.counter(p + "rbac.not_logged");
    jwtAllowed = stats.counter(p + "jwt_authn.allowed");
    jwtDenied = stats.counter(p + "jwt_authn.denied");
    http2ControlFlood = stats.counter(p + "http2.inbound_control_flood");
  }

  public void status(int code) {
    statusClasses.count(code);
  }
}
