package io.meshwork.proxy.config;

/**
 * The DEFAULT-priority thresholds of a cluster's {@code circuit_breakers} (Envoy defaults: 1024
 * connections, pending requests and requests; 3 concurrent retries). {@code maxPendingRequests} is
 * carried but not enforced yet: the HTTP/1.1 pool fails a request that would need a connection over
 * {@code maxConnections} at once instead of queueing it.
 */
public record CircuitBreakers(int maxConnections, int maxPendingRequests, int maxRequests, int maxRetries) {
  public static final CircuitBreakers DEFAULTS = new CircuitBreakers(1024, 1024, 1024, 3);
}
