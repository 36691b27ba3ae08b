package io.meshwork.proxy.cluster;

import io.meshwork.proxy.config.ClusterConfig;
import java.util.Collection;
import java.util.List;

/**
 * Picks a host for one attempt. {@code avoid} holds hosts already tried by earlier attempts of the
 * same request: an implementation re-picks a few times to avoid them when others are available
 * (Envoy's previous-hosts retry predicate), and otherwise returns a host it would pick anyway.
 */
public sealed interface LoadBalancer permits RoundRobinLb, RandomLb, LeastRequestLb, RingHashLb, MaglevLb {
  /** A host, or null when the cluster has no healthy host. */
  Host choose(Collection<Host> avoid);

  /** A host for a request that carries a hash (route hash policies); only hashing balancers use it. */
  default Host choose(Collection<Host> avoid, long hash) {
    return choose(avoid);
  }

  /** Attempts an implementation makes to avoid already-tried hosts. */
  int AVOID_ATTEMPTS = 5;

  static LoadBalancer of(ClusterConfig config, List<Host> hosts) {
    return switch (config.lbPolicy()) {
      case ROUND_ROBIN -> new RoundRobinLb(hosts);
      case RANDOM -> new RandomLb(hosts);
      case LEAST_REQUEST -> new LeastRequestLb(hosts, config.choiceCount());
      case RING_HASH -> new RingHashLb(hosts, config.hashTableSize());
      case MAGLEV -> new MaglevLb(hosts, config.hashTableSize());
    };
  }

  /**
   * Shared re-pick loop: up to {@link #AVOID_ATTEMPTS} more picks for a host not in {@code avoid};
   * if the policy keeps returning tried hosts, an untried eligible host is taken at random, so a retry
   * reaches a fresh host whenever one exists.
   */
  static Host avoiding(java.util.function.Supplier<Host> pick, Collection<Host> avoid, List<Host> eligible) {
    Host h = pick.get();
    if (h == null || avoid.isEmpty()) {
      return h;
    }
    for (int i = 0; i < AVOID_ATTEMPTS && avoid.contains(h); i++) {
      h = pick.get();
    }
    if (avoid.contains(h)) {
      var fresh = eligible.stream().filter(x -> !avoid.contains(x)).toList();
      if (!fresh.isEmpty()) {
        h = fresh.get(java.util.concurrent.ThreadLocalRandom.current().nextInt(fresh.size()));
      }
    }
    return h;
  }
}
