package io.meshwork.proxy.config;

/**
 * The DEFAULT-priority thresholds of a cluster's {@code circuit_breakers} (Envoy defaults: 1024
 * connections, pending requests and requests; 3 concurrent retries). A request that needs a new
 * connection (HTTP/1.1; HTTP/2 when every stream of the open connections is in use) when
 * {@code maxConnections} are open waits, up to {@code maxPendingRequests} such requests, for a
 * connection or stream to come back; beyond that it fails at once (503 UO).
 */
public record CircuitBreakers(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries) {
  public static final CircuitBreakers DEFAULTS = new CircuitBreakers(1024, 1024, 1024, 3);
}
