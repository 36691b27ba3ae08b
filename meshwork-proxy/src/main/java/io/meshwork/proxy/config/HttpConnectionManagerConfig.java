package io.meshwork.proxy.config;

import java.util.List;

/**
 * The HTTP connection manager of a listener: stat prefix, the route table, request limits, access
 * logs, and the HTTP filters that run before the router.
 * {@code maxRequestHeadersBytes} bounds the request line plus headers (Envoy: 60 KiB default).
 */
public record HttpConnectionManagerConfig(String statPrefix, Codec codec, RouteTable routes, int maxRequestHeadersBytes,
    int maxRequestBodyBytes, List<AccessLogConfig> accessLogs, List<HttpFilterConfig> filters) {
  /** Envoy's {@code codec_type}: AUTO detects HTTP/2 by its preface (cleartext) or ALPN (TLS). */
  public enum Codec { AUTO, HTTP1, HTTP2 }
}
