package io.meshwork.control.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.meshwork.control.registry.MeshService;
import io.meshwork.control.registry.ServicePortInfo;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A service's outbound clusters (default and one per DestinationRule subset, per port) and their
 * endpoints, as seen from one namespace. The same for every proxy of that namespace, so memoized
 * per push.
 */
record ServiceClusters(Map<String, Cluster> clusters, Map<String, ClusterLoadAssignment> endpoints) {

  static ServiceClusters of(MeshContext ctx, MeshService svc, String ns) {
    var clusters = new LinkedHashMap<String, Cluster>();
    var endpoints = new LinkedHashMap<String, ClusterLoadAssignment>();
    var dr = ctx.destinationRule(svc.hostname(), ns);
    for (var port : svc.ports()) {
      var all = ctx.registry().endpoints(svc, port, Map.of());
      add(ctx, svc, port, null, EffectivePolicy.of(dr == null ? null : dr.spec().trafficPolicy(), null, port.number()), Map.of(),
          clusters, endpoints);
      if (dr != null) {
        for (var subset : dr.spec().subsets()) {
          add(ctx, svc, port, subset.name(), EffectivePolicy.of(dr.spec().trafficPolicy(), subset.trafficPolicy(), port.number()),
              subset.labels(), clusters, endpoints);
        }
      }
      if (all.isEmpty() && svc.resolution().equals("NONE") && svc.external()) {
        // An external service without endpoints: traffic goes where the app sent it.
        var name = Names.outboundCluster(port.number(), null, svc.hostname());
        clusters.put(name, clusters.get(name).toBuilder().setType(Cluster.DiscoveryType.ORIGINAL_DST).clearEdsClusterConfig()
            .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).build());
        endpoints.remove(name);
      }
    }
    return new ServiceClusters(java.util.Collections.unmodifiableMap(clusters), java.util.Collections.unmodifiableMap(endpoints));
  }

  private static void add(MeshContext ctx, MeshService svc, ServicePortInfo port, String subset, EffectivePolicy policy,
      Map<String, String> labels, Map<String, Cluster> clusters, Map<String, ClusterLoadAssignment> endpoints) {
    var name = Names.outboundCluster(port.number(), subset, svc.hostname());
    var eps = ctx.registry().endpoints(svc, port, labels);
    if (svc.resolution().startsWith("DNS")) {
      clusters.put(name, ClusterBuilder.strictDns(name, policy, eps, svc.hostname()));
      return;
    }
    var c = ClusterBuilder.eds(name, policy, svc.hostname());
    clusters.put(name, c);
    if (c.getType() == Cluster.DiscoveryType.EDS) {
      endpoints.put(name, ClusterBuilder.assignment(name, eps));
    }
  }
}
