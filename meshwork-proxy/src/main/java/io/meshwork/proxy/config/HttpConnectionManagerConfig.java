package io.meshwork.proxy.config;

import java.util.List;

/**
 * The HTTP connection manager of a listener: stat prefix, the route table, request limits, access
 * logs, the HTTP filters that run before the router, and the enabled {@code upgrade_configs}
 * (lower-case upgrade types such as "websocket"; routes may turn them off or on). An HTTP/1.1
 * connection with no exchange in progress is closed after {@code idleTimeout} (zero: never).
 * {@code maxRequestHeadersBytes} bounds the request line plus headers (Envoy: 60 KiB default).
 * {@code tracing} is the HCM's {@code tracing} block (null: this listener does not trace).
 * {@code requestHeadersTimeout} is Envoy's {@code request_headers_timeout}: an HTTP/1.1 request head
 * must be complete this long after its first byte, or the connection is closed (slowloris); zero
 * disables it, Envoy's default.
 */
public record HttpConnectionManagerConfig(String statPrefix, Codec codec, RouteTable routes, int maxRequestHeadersBytes,
    int maxRequestBodyBytes, List<AccessLogConfig> accessLogs, List<HttpFilterConfig> filters,
    java.util.Set<String> upgradeTypes, java.time.Duration idleTimeout, TracingConfig tracing,
    java.time.Duration requestHeadersTimeout) {
  /** A connection manager without a request-headers timeout. */
  public HttpConnectionManagerConfig(String statPrefix, Codec codec, RouteTable routes, int maxRequestHeadersBytes,
      int maxRequestBodyBytes, List<AccessLogConfig> accessLogs, List<HttpFilterConfig> filters,
      java.util.Set<String> upgradeTypes, java.time.Duration idleTimeout, TracingConfig tracing) {
    this(statPrefix, codec, routes, maxRequestHeadersBytes, maxRequestBodyBytes, accessLogs, filters, upgradeTypes,
        idleTimeout, tracing, java.time.Duration.ZERO);
  }

  /** A connection manager that does not trace. */
  public HttpConnectionManagerConfig(String statPrefix, Codec codec, RouteTable routes, int maxRequestHeadersBytes,
      int maxRequestBodyBytes, List<AccessLogConfig> accessLogs, List<HttpFilterConfig> filters,
      java.util.Set<String> upgradeTypes, java.time.Duration idleTimeout) {
    this(statPrefix, codec, routes, maxRequestHeadersBytes, maxRequestBodyBytes, accessLogs, filters, upgradeTypes,
        idleTimeout, null);
  }

  /** The same connection manager with another tracing config. */
  public HttpConnectionManagerConfig withTracing(TracingConfig t) {
    return new HttpConnectionManagerConfig(statPrefix, codec, routes, maxRequestHeadersBytes, maxRequestBodyBytes,
        accessLogs, filters, upgradeTypes, idleTimeout, t, requestHeadersTimeout);
  }

  /** The same connection manager with another request-headers timeout. */
  public HttpConnectionManagerConfig withRequestHeadersTimeout(java.time.Duration d) {
    return new HttpConnectionManagerConfig(statPrefix, codec, routes, maxRequestHeadersBytes, maxRequestBodyBytes,
        accessLogs, filters, upgradeTypes, idleTimeout, tracing, d);
  }

  /** Envoy's {@code codec_type}: AUTO detects HTTP/2 by its preface (cleartext) or ALPN (TLS). */
  public enum Codec { AUTO, HTTP1, HTTP2 }
}
