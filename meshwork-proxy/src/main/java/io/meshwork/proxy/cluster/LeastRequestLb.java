package io.meshwork.proxy.cluster;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Least request with the power of N choices (N = {@code choice_count}, 2 by default): sample N hosts
 * at random and take the one with the fewest active requests. When weights differ, each sample is
 * weighted, which approximates Envoy's weighted least request.
 */
final class LeastRequestLb implements LoadBalancer {
  private final List<Host> hosts;
  private final RandomLb sampler;
  private final boolean weighted;
  private final int choices;

  LeastRequestLb(List<Host> all, int choices) {
    hosts = Hosts.eligible(all);
    sampler = new RandomLb(all);
    weighted = hosts.stream().mapToInt(Host::weight).distinct().count() > 1;
    this.choices = choices;
  }

  @Override
  public Host choose(Collection<Host> avoid) {
    if (hosts.isEmpty()) {
      return null;
    }
    return LoadBalancer.avoiding(this::pick, avoid, hosts);
  }

  private Host pick() {
    Host best = null;
    for (int i = 0; i < choices; i++) {
      var h = weighted ? sampler.choose(List.of()) : hosts.get(ThreadLocalRandom.current().nextInt(hosts.size()));
      if (best == null || h.activeRequests() < best.activeRequests()) {
        best = h;
      }
    }
    return best;
  }
}
