package io.meshwork.proxy.cluster;

import io.meshwork.proxy.config.ClusterConfig;
import io.meshwork.proxy.stats.ClusterStats;
import io.meshwork.proxy.stats.Stats;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A cluster at run time: its config, hosts with live counters, the load balancer and its stats. */
public final class ClusterRuntime {
  private final ClusterConfig config;
  private final List<Host> hosts;
  private final LoadBalancer lb;
  private final ClusterStats stats;
  private final AtomicInteger activeRequests = new AtomicInteger();
  private final AtomicInteger activeRetries = new AtomicInteger();
  private final AtomicInteger activeConnections = new AtomicInteger();
  private final AtomicInteger pendingRequests = new AtomicInteger();
  /** Pools with requests waiting for a connection slot; one entry per waiting request. */
  private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> slotWaiters = new java.util.concurrent.ConcurrentLinkedQueue<>();

  private final OutlierDetector outlier;

  public ClusterRuntime(ClusterConfig config, Stats stats) {
    this(config, stats, System::nanoTime);
  }

  ClusterRuntime(ClusterConfig config, Stats stats, java.util.function.LongSupplier clock) {
    this.config = config;
    this.hosts = config.endpoints().stream().map(e -> new Host(config.name(), e)).toList();
    this.lb = LoadBalancer.of(config, hosts);
    this.stats = new ClusterStats(stats, config.name());
    var pending = pendingRequests; // the gauge holds the count, not this runtime (replaced on config changes)
    stats.gauge("cluster." + config.name() + ".upstream_rq_pending_active", pending::get);
    this.outlier = config.outlierDetection() == null ? null
        : new OutlierDetector(config.outlierDetection(), hosts, stats, config.name(), clock);
  }

  /**
   * Picks a host for an attempt: the load balancer's choice, re-picked while it is ejected by
   * outlier detection. If every candidate is ejected the last pick is used anyway (Envoy's panic
   * mode: better to try a suspect host than to fail outright).
   */
  public Host choose(java.util.Collection<Host> avoid) {
    return choose(avoid, 0, false);
  }

  /** As {@link #choose(java.util.Collection)}, with the request's hash when a hash policy produced one. */
  public Host choose(java.util.Collection<Host> avoid, long hash, boolean hashed) {
    var h = hashed ? lb.choose(avoid, hash) : lb.choose(avoid);
    if (h == null || outlier == null) {
      return h;
    }
    long now = outlier.now();
    if (!h.ejected(now)) {
      return h;
    }
    for (int i = 0; i < LoadBalancer.AVOID_ATTEMPTS; i++) {
      var next = hashed ? lb.choose(avoid, Hashing.mix(hash + i + 1)) : lb.choose(avoid);
      if (!next.ejected(now)) {
        return next;
      }
    }
    for (var candidate : hosts) {
      if (candidate.healthy() && !candidate.ejected(now) && !avoid.contains(candidate)) {
        return candidate;
      }
    }
    return h;
  }

  /** Reports an attempt's outcome to outlier detection (status, or 503 for local failures). */
  public void reportOutcome(Host host, int status) {
    if (outlier != null) {
      outlier.report(host, status);
    }
  }

  /** Whether a host is currently ejected (for /clusters). */
  public boolean isEjected(Host host) {
    return outlier != null && host.ejected(outlier.now());
  }

  public ClusterConfig config() {
    return config;
  }

  public String name() {
    return config.name();
  }

  public List<Host> hosts() {
    return hosts;
  }

  public LoadBalancer lb() {
    return lb;
  }

  public ClusterStats stats() {
    return stats;
  }

  /** Takes a request slot under {@code max_requests}; false (and counted) on overflow. */
  public boolean tryStartRequest() {
    return tryAcquire(activeRequests, config.circuitBreakers().maxRequests(), stats.upstreamRqPendingOverflow);
  }

  public void requestFinished() {
    activeRequests.decrementAndGet();
  }

  /** Takes a retry slot under {@code max_retries}; false (and counted) on overflow. */
  public boolean tryStartRetry() {
    return tryAcquire(activeRetries, config.circuitBreakers().maxRetries(), stats.upstreamRqRetryOverflow);
  }

  public void retryFinished() {
    activeRetries.decrementAndGet();
  }

  /** Takes a connection slot under {@code max_connections}; false (and counted) on overflow. */
  public boolean tryOpenConnection() {
    return tryAcquire(activeConnections, config.circuitBreakers().maxConnections(), stats.upstreamCxOverflow);
  }

  /** Counts a connection opened over {@code max_connections} (a pool's first; see Http1ConnectionPool). */
  public void forceOpenConnection() {
    activeConnections.incrementAndGet();
  }

  public void connectionClosed() {
    activeConnections.decrementAndGet();
    connectionSlotFreed();
  }

  /**
   * What a pooled connection runs when it closes ({@link #connectionClosed}), holding only the
   * connection count and not this runtime: pooled connections outlive config changes (they are
   * keyed by address and reused by the next runtime of the cluster), and a close listener that
   * captured the runtime kept every replaced one alive for as long as a connection it opened
   * (found by the config churn test of issue 12). Like {@link #connectionClosed} it hands the freed
   * slot to a pool waiting for one (a request pending on {@code max_connections} on another event loop).
   */
  public Runnable connectionCloser() {
    var count = activeConnections;
    var waiters = slotWaiters;
    return () -> {
      count.decrementAndGet();
      var w = waiters.poll();
      if (w != null) {
        w.run();
      }
    };
  }

  public int activeRequests() {
    return activeRequests.get();
  }

  /**
   * Takes a pending-request slot under {@code max_pending_requests} for a request that waits for a
   * connection because {@code max_connections} is reached; false (and counted) on overflow.
   */
  public boolean tryStartPending() {
    boolean ok = tryAcquire(pendingRequests, config.circuitBreakers().maxPendingRequests(), stats.upstreamRqPendingOverflow);
    if (ok) {
      stats.upstreamRqPendingTotal.inc();
    }
    return ok;
  }

  /** As {@link #tryStartPending}, for a request that was pending already and waits again (counted once in the total). */
  public boolean tryResumePending() {
    return tryAcquire(pendingRequests, config.circuitBreakers().maxPendingRequests(), stats.upstreamRqPendingOverflow);
  }

  public void pendingFinished() {
    pendingRequests.decrementAndGet();
  }

  public int pendingRequests() {
    return pendingRequests.get();
  }

  /**
   * Registers a callback run (on the closing connection's thread) when a connection of this cluster
   * closes, so that a pool on another event loop can open one for a request it holds pending.
   */
  public void awaitConnectionSlot(Runnable waiter) {
    slotWaiters.add(waiter);
  }

  /** Withdraws a callback of {@link #awaitConnectionSlot} whose request no longer waits. */
  public void cancelConnectionSlotWait(Runnable waiter) {
    slotWaiters.remove(waiter);
  }

  /** Hands a freed connection slot to the oldest waiter; a waiter with nothing left to do passes it on. */
  public void connectionSlotFreed() {
    var w = slotWaiters.poll();
    if (w != null) {
      w.run();
    }
  }

  private static boolean tryAcquire(AtomicInteger counter, int limit, io.meshwork.proxy.stats.Counter overflow) {
    while (true) {
      int n = counter.get();
      if (n >= limit) {
        overflow.inc();
        return false;
      }
      if (counter.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }
}
