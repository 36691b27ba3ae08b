package io.meshwork.proxy.config;

import java.time.Duration;
import java.util.List;

/**
 * An upstream cluster: endpoints (from {@code load_assignment}), the load balancer, the connect
 * timeout, circuit breakers and outlier detection ({@code null} when not configured).
 * {@code hashTableSize} is the ring's minimum size (RING_HASH) or the table size (MAGLEV).
 * {@code http2}: speak HTTP/2 (cleartext, prior knowledge) to the endpoints instead of HTTP/1.1. Two clusters with equal records are interchangeable, which
 * is how an update keeps the live state (pools, counters) of clusters that did not change.
 */
public record ClusterConfig(String name, LbPolicy lbPolicy, int choiceCount, long hashTableSize, Duration connectTimeout,
    Duration idleTimeout, List<EndpointConfig> endpoints, CircuitBreakers circuitBreakers,
    OutlierDetection outlierDetection, boolean http2) {}
