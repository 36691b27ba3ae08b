package io.meshwork.proxy.cluster;

import java.util.List;

/** Host-set helpers shared by the load balancers. */
final class Hosts {
  private Hosts() {}

  /** The healthy hosts of the lowest priority that has any (Envoy's priority failover, without spillover). */
  static List<Host> eligible(List<Host> hosts) {
    int best = Integer.MAX_VALUE;
    for (var h : hosts) {
      if (h.healthy() && h.config().priority() < best) {
        best = h.config().priority();
      }
    }
    final int p = best;
    return hosts.stream().filter(h -> h.healthy() && h.config().priority() == p).toList();
  }
}
