package io.meshwork.proxy.cluster;

import io.meshwork.proxy.config.ClusterConfig;
import java.util.Collection;
import java.util.List;

/**
 * Picks a host for one attempt. {@code avoid} holds hosts already tried by earlier attempts of the
 * same request: an implementation re-picks a few times to avoid them when others are available
 * (Envoy's previous-hosts retry predicate), and otherwise returns a host it would pick anyway.
 */
public sealed interface LoadBalancer permits RoundRobinLb, RandomLb, LeastRequestLb {
  /** A host, or null when the cluster has no healthy host. */
  Host choose(Collection<Host> avoid);

  /** Attempts an implementation makes to avoid already-tried hosts. */
  int AVOID_ATTEMPTS = 5;

  static LoadBalancer of(ClusterConfig config, List<Host> hosts) {
    return switch (config.lbPolicy()) {
      case ROUND_ROBIN -> new RoundRobinLb(hosts);
      case RANDOM -> new RandomLb(hosts);
      case LEAST_REQUEST -> new LeastRequestLb(hosts, config.choiceCount());
    };
  }

  /** Shared re-pick loop: try up to max(5, hostCount) times for a host not in {@code avoid}. */
  static Host avoiding(java.util.function.Supplier<Host> pick, Collection<Host> avoid, int hostCount) {
    Host h = pick.get();
    if (h == null || avoid.isEmpty()) {
      return h;
    }
    int attempts = Math.max(AVOID_ATTEMPTS, hostCount);
    for (int i = 0; i < attempts && avoid.contains(h); i++) {
      h = pick.get();
    }
    return h;
  }
}
