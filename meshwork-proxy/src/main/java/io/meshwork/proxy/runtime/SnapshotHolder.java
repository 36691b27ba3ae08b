package io.meshwork.proxy.runtime;

import io.meshwork.proxy.cluster.ClusterRuntime;
import io.meshwork.proxy.config.ListenerConfig;
import io.meshwork.proxy.config.ProxyConfig;
import io.meshwork.proxy.stats.HttpStats;
import io.meshwork.proxy.stats.Stats;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the current {@link Snapshot}. {@link #update} is the single way configuration changes: it
 * builds the next snapshot off the request path, keeping the {@link ClusterRuntime} (hosts, live
 * counters, load-balancer position) of every cluster whose config did not change, then publishes it
 * with one atomic set. Requests already running keep the snapshot they read.
 */
public final class SnapshotHolder {
  private final Stats stats;
  private final AtomicReference<Snapshot> current = new AtomicReference<>();

  public SnapshotHolder(Stats stats) {
    this.stats = stats;
  }

  /** The proxy's stats store (the snapshot's runtimes count into it). */
  public Stats stats() {
    return stats;
  }

  public Snapshot current() {
    return current.get();
  }

  /** Builds and publishes the snapshot for {@code config}; serialised so that updates never interleave. */
  public synchronized Snapshot update(ProxyConfig config) {
    var previous = current.get();
    var clusters = new HashMap<String, ClusterRuntime>();
    for (var c : config.clusters().values()) {
      var old = previous == null ? null : previous.cluster(c.name());
      clusters.put(c.name(), old != null && old.config().equals(c) ? old : new ClusterRuntime(c, stats));
    }
    var http = new HashMap<String, HttpListenerRuntime>();
    for (var top : config.listeners()) {
      var each = top.protocol() instanceof ListenerConfig.Chains c ? c.listeners() : java.util.List.of(top);
      for (var l : each) { // a listener with several filter chains: each HTTP chain is served under its own name
        if (l.protocol() instanceof ListenerConfig.Http h) {
          http.put(l.name(), new HttpListenerRuntime(l.name(), l.tls(), h.hcm(), new HttpStats(stats, h.hcm().statPrefix())));
        }
      }
    }
    var next = new Snapshot(config, Map.copyOf(clusters), Map.copyOf(http));
    current.set(next);
    return next;
  }
}
