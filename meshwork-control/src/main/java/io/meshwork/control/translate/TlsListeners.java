package io.meshwork.control.translate;

import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.meshwork.config.networking.VirtualService;
import io.meshwork.control.registry.MeshService;
import io.meshwork.control.registry.ServicePortInfo;
import io.meshwork.control.store.ConfigStore;

/**
 * Outbound TLS/HTTPS service ports: traffic is not terminated, it is routed by SNI. Services sharing
 * an address and port (external HTTPS ServiceEntries on {@code 0.0.0.0_443}) share one listener with
 * the TLS inspector and one filter chain per SNI: the VirtualService's {@code tls} routes first
 * (their {@code sniHosts}), then the service's own host to its default cluster.
 */
final class TlsListeners {
  static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";

  private TlsListeners() {}

  static Listener addService(Listener existing, String name, String ip, MeshService svc, ServicePortInfo port,
      ConfigStore.Typed<VirtualService> vs, RouteBuilder.Clusters clusters) {
    var l = existing != null ? existing.toBuilder() : Listener.newBuilder().setName(name).setAddress(Protos.address(ip, port.number()))
        .setTrafficDirection(io.envoyproxy.envoy.config.core.v3.TrafficDirection.OUTBOUND)
        .addListenerFilters(ListenerFilter.newBuilder().setName(TLS_INSPECTOR).setTypedConfig(Protos.any(TlsInspector.getDefaultInstance())));
    var stat = "outbound|" + port.number() + "||" + svc.hostname();
    if (vs != null) {
      for (var t : vs.spec().tls()) {
        var sni = new java.util.ArrayList<String>();
        t.match().stream().filter(m -> m.port() == null || m.port() == port.number()).forEach(m -> sni.addAll(m.sniHosts()));
        if (sni.isEmpty() || t.route().isEmpty()) {
          continue;
        }
        var chain = FilterChain.newBuilder().setFilterChainMatch(FilterChainMatch.newBuilder().addAllServerNames(sni));
        if (t.route().size() == 1) {
          chain.addFilters(Filters.tcpProxy(stat, clusters.cluster(t.route().getFirst().destination(), vs.namespace(), port.number())));
        } else {
          var w = TcpProxy.WeightedCluster.newBuilder();
          t.route().forEach(d -> w.addClusters(TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
              .setName(clusters.cluster(d.destination(), vs.namespace(), port.number())).setWeight(d.weight())));
          chain.addFilters(Filters.tcpProxy(stat, w.build()));
        }
        l.addFilterChains(chain);
      }
    }
    l.addFilterChains(FilterChain.newBuilder().setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames(svc.hostname()))
        .addFilters(Filters.tcpProxy(stat, Names.outboundCluster(port.number(), null, svc.hostname()))));
    return l.build();
  }
}
