package io.meshwork.proxy.config;

import java.time.Duration;
import java.util.List;

/**
 * An upstream cluster: endpoints (from {@code load_assignment}), the load balancer, the connect
 * timeout, circuit breakers and outlier detection ({@code null} when not configured).
 * {@code hashTableSize} is the ring's minimum size (RING_HASH) or the table size (MAGLEV).
 * {@code http2}: speak HTTP/2 (cleartext, prior knowledge) to the endpoints instead of HTTP/1.1. Two clusters with equal records are interchangeable, which
 * is how an update keeps the live state (pools, counters) of clusters that did not change.
 * {@code maxRequestsPerConnection} (Envoy's {@code common_http_protocol_options.max_requests_per_connection},
 * Istio's {@code connectionPool.http.maxRequestsPerConnection}; 0: unlimited): an upstream connection that
 * has carried that many requests is closed (HTTP/1.1) or takes no new streams and closes when its last
 * stream ends (HTTP/2). {@code useDownstreamProtocol}: HTTP/2 upstream for requests that came in over
 * HTTP/2, HTTP/1.1 for the others (see {@link #http2For}).
 */
public record ClusterConfig(String name, LbPolicy lbPolicy, int choiceCount, long hashTableSize, Duration connectTimeout,
    Duration idleTimeout, List<EndpointConfig> endpoints, CircuitBreakers circuitBreakers,
    OutlierDetection outlierDetection, boolean http2, UpstreamTlsConfig tls, UpstreamTlsConfig istioTls,
    int maxRequestsPerConnection, boolean useDownstreamProtocol) {

  /** A cluster whose upstream protocol is fixed ({@code http2}), not the downstream's. */
  public ClusterConfig(String name, LbPolicy lbPolicy, int choiceCount, long hashTableSize, Duration connectTimeout,
      Duration idleTimeout, List<EndpointConfig> endpoints, CircuitBreakers circuitBreakers,
      OutlierDetection outlierDetection, boolean http2, UpstreamTlsConfig tls, UpstreamTlsConfig istioTls,
      int maxRequestsPerConnection) {
    this(name, lbPolicy, choiceCount, hashTableSize, connectTimeout, idleTimeout, endpoints, circuitBreakers, outlierDetection,
        http2, tls, istioTls, maxRequestsPerConnection, false);
  }

  /**
   * Whether a request goes upstream as HTTP/2: always for an {@code http2} cluster; for one that
   * follows the downstream protocol ({@code use_downstream_protocol_config}, which Istio sets on the
   * clusters of ports of unknown protocol), when the request came in over HTTP/2.
   */
  public boolean http2For(boolean downstreamHttp2) {
    return http2 || (useDownstreamProtocol && downstreamHttp2);
  }

  /** A cluster without a per-connection request limit. */
  public ClusterConfig(String name, LbPolicy lbPolicy, int choiceCount, long hashTableSize, Duration connectTimeout,
      Duration idleTimeout, List<EndpointConfig> endpoints, CircuitBreakers circuitBreakers,
      OutlierDetection outlierDetection, boolean http2, UpstreamTlsConfig tls, UpstreamTlsConfig istioTls) {
    this(name, lbPolicy, choiceCount, hashTableSize, connectTimeout, idleTimeout, endpoints, circuitBreakers, outlierDetection,
        http2, tls, istioTls, 0);
  }

  /** A cluster without upstream TLS. */
  public ClusterConfig(String name, LbPolicy lbPolicy, int choiceCount, long hashTableSize, Duration connectTimeout,
      Duration idleTimeout, List<EndpointConfig> endpoints, CircuitBreakers circuitBreakers,
      OutlierDetection outlierDetection, boolean http2) {
    this(name, lbPolicy, choiceCount, hashTableSize, connectTimeout, idleTimeout, endpoints, circuitBreakers, outlierDetection, http2,
        null, null);
  }

  /**
   * The TLS to originate to {@code endpoint}: {@code istioTls} (the {@code tlsMode: istio}
   * transport socket match, auto mTLS) for endpoints that have a sidecar, else {@code tls}
   * (the cluster's transport socket; null: plaintext).
   */
  public UpstreamTlsConfig tlsFor(EndpointConfig endpoint) {
    return istioTls != null && endpoint.istioMtls() ? istioTls : tls;
  }

  /** The same cluster with upstream TLS and endpoints replaced. */
  public ClusterConfig withTls(UpstreamTlsConfig tls, UpstreamTlsConfig istioTls, List<EndpointConfig> endpoints) {
    return new ClusterConfig(name, lbPolicy, choiceCount, hashTableSize, connectTimeout, idleTimeout, endpoints, circuitBreakers,
        outlierDetection, http2, tls, istioTls, maxRequestsPerConnection, useDownstreamProtocol);
  }
}
