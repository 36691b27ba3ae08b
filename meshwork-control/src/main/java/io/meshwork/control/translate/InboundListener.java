package io.meshwork.control.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshwork.control.registry.ServicePortInfo;
import io.meshwork.xds.client.NodeInfo;
import java.util.HashMap;
import java.util.Map;

/** The sidecar's {@code virtualInbound} listener and its {@code inbound|PORT||} clusters, from the node's app ports. */
final class InboundListener {
  private InboundListener() {}

  /** virtualInbound: one filter chain per app port, to {@code inbound|PORT||} (the app on 127.0.0.1). */
  static Listener build(NodeInfo node, Map<String, Cluster> clusters) {
    return build(node, clusters, null);
  }

  /** As above, with the workload's authorization and JWT filters on every chain ({@code authz} may be null). */
  static Listener build(NodeInfo node, Map<String, Cluster> clusters, io.meshwork.control.security.InboundAuthz authz) {
    var l = Listener.newBuilder().setName(Names.VIRTUAL_INBOUND).setAddress(Protos.address("0.0.0.0", Names.INBOUND_PORT))
        .setUseOriginalDst(com.google.protobuf.BoolValue.of(true))
        .setTrafficDirection(io.envoyproxy.envoy.config.core.v3.TrafficDirection.INBOUND);
    var seen = new HashMap<Integer, Boolean>();
    for (var e : node.appPorts().entrySet()) {
      int port = e.getValue();
      if (port <= 0 || seen.put(port, true) != null) {
        continue;
      }
      var name = Names.inboundCluster(port);
      clusters.put(name, ClusterBuilder.staticCluster(name, "127.0.0.1", port));
      var chain = FilterChain.newBuilder().setName(name)
          .setFilterChainMatch(FilterChainMatch.newBuilder().setDestinationPort(com.google.protobuf.UInt32Value.of(port)));
      if (ServicePortInfo.protocolOf(null, e.getKey()).matches("HTTP|HTTP2|GRPC|GRPC-WEB")) {
        var rc = RouteConfiguration.newBuilder().setName(name).addVirtualHosts(VirtualHost.newBuilder().setName("inbound|http|" + port)
            .addDomains("*").addRoutes(Route.newBuilder().setName("default").setMatch(Matchers.routeMatch(null))
                .setRoute(RouteAction.newBuilder().setCluster(name).setTimeout(Protos.millis(0))))).build();
        var hcm = Filters.inlineRoutes("inbound_0.0.0.0_" + port, rc);
        chain.addFilters(authz == null ? hcm : authz.http(hcm));
      } else {
        if (authz != null) {
          chain.addAllFilters(authz.tcp());
        }
        chain.addFilters(Filters.tcpProxy(name, name));
      }
      l.addFilterChains(chain);
    }
    l.addFilterChains(FilterChain.newBuilder().setName(Names.INBOUND_PASSTHROUGH)
        .addFilters(Filters.tcpProxy(Names.INBOUND_PASSTHROUGH, Names.PASSTHROUGH)));
    return l.build();
  }
}
