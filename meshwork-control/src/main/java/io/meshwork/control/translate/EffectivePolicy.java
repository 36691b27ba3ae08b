package io.meshwork.control.translate;

import io.meshwork.config.networking.ClientTLSSettings;
import io.meshwork.config.networking.ConnectionPoolSettings;
import io.meshwork.config.networking.LoadBalancerSettings;
import io.meshwork.config.networking.OutlierDetection;
import io.meshwork.config.networking.TrafficPolicy;

/**
 * The traffic policy that applies to one cluster: the DestinationRule's policy, overridden by its
 * port-level settings for the port, then by the subset's policy (and its port-level settings),
 * field group by field group, as Istio merges them.
 */
record EffectivePolicy(LoadBalancerSettings loadBalancer, ConnectionPoolSettings connectionPool, OutlierDetection outlierDetection,
    ClientTLSSettings tls) {
  static final EffectivePolicy NONE = new EffectivePolicy(null, null, null, null);

  static EffectivePolicy of(TrafficPolicy dr, TrafficPolicy subset, int port) {
    return NONE.merge(dr, port).merge(subset, port);
  }

  private EffectivePolicy merge(TrafficPolicy tp, int port) {
    if (tp == null) {
      return this;
    }
    var out = new EffectivePolicy(or(tp.loadBalancer(), loadBalancer), or(tp.connectionPool(), connectionPool),
        or(tp.outlierDetection(), outlierDetection), or(tp.tls(), tls));
    for (var pl : tp.portLevelSettings()) {
      if (pl.port() != null && pl.port().number() != null && pl.port().number() == port) {
        out = new EffectivePolicy(or(pl.loadBalancer(), out.loadBalancer), or(pl.connectionPool(), out.connectionPool),
            or(pl.outlierDetection(), out.outlierDetection), or(pl.tls(), out.tls));
      }
    }
    return out;
  }

  private static <T> T or(T a, T b) {
    return a != null ? a : b;
  }
}
