package io.meshwork.proxy.cluster;

import io.meshwork.proxy.config.EndpointConfig;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** An endpoint at run time: its configuration plus live counters read by the load balancer and /clusters. */
public final class Host {
  private final EndpointConfig config;
  private final PoolKey poolKey;
  private final AtomicInteger activeRequests = new AtomicInteger();
  private final LongAdder requestTotal = new LongAdder();
  private final LongAdder errors = new LongAdder();
  // Outlier detection state, touched from every event loop that sends to this host.
  final AtomicInteger consecutive5xx = new AtomicInteger();
  final AtomicInteger consecutiveGatewayFailures = new AtomicInteger();
  final AtomicInteger ejections = new AtomicInteger();
  /** Envoy's ejection-time multiplier: +1 per ejection, -1 per outlier sweep that finds the host not ejected. */
  int ejectionMultiplier;
  volatile long ejectedUntilNanos;
  volatile boolean ejected;

  /**
   * Identifies the connections of one cluster to one endpoint (pools are per cluster and host, as in
   * Envoy); {@code source} is set when the connections leave from a caller's own address (TPROXY's
   * original source), so that they are never reused for another caller.
   */
  public record PoolKey(String cluster, InetSocketAddress address, java.net.InetAddress source) {
    public PoolKey(String cluster, InetSocketAddress address) {
      this(cluster, address, null);
    }
  }

  Host(String cluster, EndpointConfig config) {
    this.config = config;
    this.poolKey = new PoolKey(cluster, config.address());
  }

  /**
   * A host outside the cluster's endpoints: where an {@code ORIGINAL_DST} cluster (PassthroughCluster)
   * sends a captured connection, its original destination.
   */
  public static Host originalDestination(String cluster, InetSocketAddress address) {
    return new Host(cluster, new EndpointConfig(address, 1, 0, true));
  }

  public PoolKey poolKey() {
    return poolKey;
  }

  public InetSocketAddress address() {
    return config.address();
  }

  public int weight() {
    return config.weight();
  }

  public boolean healthy() {
    return config.healthy();
  }

  /** Whether outlier detection has ejected this host and the ejection has not yet expired. */
  public boolean ejected(long nowNanos) {
    if (ejected && nowNanos - ejectedUntilNanos >= 0) {
      ejected = false;
    }
    return ejected;
  }

  /** How many times this host has been ejected (Envoy multiplies the ejection time by it). */
  public int ejectionCount() {
    return ejections.get();
  }

  public EndpointConfig config() {
    return config;
  }

  public int activeRequests() {
    return activeRequests.get();
  }

  public long requestTotal() {
    return requestTotal.sum();
  }

  public long errors() {
    return errors.sum();
  }

  /** Called when a request is sent to this host; pair with {@link #requestDone}. */
  public void requestStarted() {
    activeRequests.incrementAndGet();
    requestTotal.increment();
  }

  public void requestDone(boolean error) {
    activeRequests.decrementAndGet();
    if (error) {
      errors.increment();
    }
  }

  /** "127.0.0.1:8080", as Envoy prints upstream hosts. */
  public String hostPort() {
    var s = hostPort;
    if (s == null) {
      // Formatted once: the access log and the response path ask for it on every request.
      s = config.address().getAddress().getHostAddress() + ":" + config.address().getPort();
      hostPort = s;
    }
    return s;
  }

  /** Cached {@link #hostPort()}; a benign race (any thread computes the same string). */
  private String hostPort;

  @Override
  public String toString() {
    return hostPort();
  }
}
