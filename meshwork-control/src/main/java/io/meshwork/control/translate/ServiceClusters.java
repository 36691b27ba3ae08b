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
      var dns = meshTls(ctx, ClusterBuilder.strictDns(name, policy, eps, svc.hostname()), policy, eps, port, subset, svc);
      clusters.put(name, upstreamProtocol(dns, port));
      return;
    }
    var c = upstreamProtocol(meshTls(ctx, ClusterBuilder.eds(name, policy, svc.hostname()), policy, eps, port, subset, svc), port);
    clusters.put(name, c);
    if (c.getType() == Cluster.DiscoveryType.EDS) {
      endpoints.put(name, ClusterBuilder.assignment(name, eps));
    }
  }

  /** HTTP/2 upstream for HTTP2/gRPC ports; a sniffed port's HTTP follows the downstream protocol (gRPC stays HTTP/2). */
  private static Cluster upstreamProtocol(Cluster c, ServicePortInfo port) {
    return port.isAuto() ? Sniffing.followDownstreamProtocol(c) : Sniffing.isHttp2(port.protocol()) ? Sniffing.explicitHttp2(c) : c;
  }

  /**
   * Mesh mTLS on a cluster: auto mTLS when the DestinationRule says nothing about TLS; for
   * ISTIO_MUTUAL without {@code subjectAltNames}, the destination's SPIFFE IDs as Istio does.
   */
  private static Cluster meshTls(MeshContext ctx, Cluster c, EffectivePolicy policy, java.util.List<io.meshwork.control.registry.Endpoint> eps,
      ServicePortInfo port, String subset, MeshService svc) {
    boolean h2 = Sniffing.isHttp2(port.protocol());
    // A sniffed port's cluster carries HTTP and TCP; it offers neither HTTP's ALPN (the server's proxy
    // reads it and would pick its HTTP chain for raw TCP) nor istio-peer-exchange (whose metadata frame
    // an HTTP connection could not take): see MeshTls.ALPN_SNIFFED. HTTP connections get istio-http/*
    // per connection from the istio.alpn filter (Sniffing.withAlpnOverride).
    boolean tcp = !port.isHttp() && !port.isAuto();
    var alpn = port.isAuto() ? MeshTls.ALPN_SNIFFED : tcp ? MeshTls.ALPN_TCP : h2 ? MeshTls.ALPN_H2 : MeshTls.ALPN_HTTP11;
    var tls = policy.tls();
    if (tls == null) {
      return MeshTls.autoMtls(c.toBuilder(), eps, ctx.registry().workloads(), port.number(), subset, svc.hostname(), alpn).build();
    }
    if (tls.mode() == io.meshwork.config.networking.ClientTLSSettings.TLSmode.ISTIO_MUTUAL && tls.subjectAltNames().isEmpty()) {
      String sni;
      try {
        // keep the SNI UpstreamTls chose for the rule (outbound_.HOST, or the rule's sni)
        sni = c.getTransportSocket().getTypedConfig()
            .unpack(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.class).getSni();
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        sni = MeshTls.sni(port.number(), subset, svc.hostname());
      }
      return c.toBuilder().setTransportSocket(MeshTls.istioMutual(sni, MeshTls.spiffeIds(eps, ctx.registry().workloads()),
          alpn)).build();
    }
    return c;
  }
}
