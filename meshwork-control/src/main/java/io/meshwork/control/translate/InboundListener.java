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
    return build(node, clusters, null, null);
  }

  /**
   * virtualInbound with mTLS per {@code mtls} (null: plaintext only, for proxies without a
   * workload certificate). In local mode (the node has inbound ports) the app listens on the
   * workload's address, so the inbound clusters point there instead of 127.0.0.1. Every chain carries
   * the workload's authorization and JWT filters ({@code authz} may be null).
   */
  static Listener build(NodeInfo node, Map<String, Cluster> clusters, io.meshwork.security.mtls.EffectiveMtls mtls,
      io.meshwork.control.security.InboundAuthz authz) {
    return build(node, clusters, mtls, authz, Map.of());
  }

  /**
   * As above; {@code operations} (app port to span name, {@link InboundServices#operations}) become
   * the inbound routes' {@code decorator.operation}, as Istio sets them, so the server span is named
   * after the service ({@code vote.default.svc.cluster.local:8080/*}), not after the caller's Host.
   */
  static Listener build(NodeInfo node, Map<String, Cluster> clusters, io.meshwork.security.mtls.EffectiveMtls mtls,
      io.meshwork.control.security.InboundAuthz authz, Map<Integer, String> operations) {
    var l = Listener.newBuilder().setName(Names.VIRTUAL_INBOUND).setAddress(Protos.address("0.0.0.0", Names.INBOUND_PORT))
        .setUseOriginalDst(com.google.protobuf.BoolValue.of(true))
        .setTrafficDirection(io.envoyproxy.envoy.config.core.v3.TrafficDirection.INBOUND);
    var seen = new HashMap<Integer, Boolean>();
    var sniffed = new java.util.ArrayList<FilterChain[]>(); // per sniffed port: {HTTP chain, TCP chain}, expanded below
    for (var e : node.appPorts().entrySet()) {
      int port = e.getValue();
      if (port <= 0 || seen.put(port, true) != null) {
        continue;
      }
      var name = Names.inboundCluster(port);
      var appIp = !node.inboundPorts().isEmpty() && !node.ips().isEmpty() ? node.ips().getFirst() : "127.0.0.1";
      clusters.put(name, ClusterBuilder.staticCluster(name, appIp, port));
      var chain = FilterChain.newBuilder().setName(name)
          .setFilterChainMatch(FilterChainMatch.newBuilder().setDestinationPort(com.google.protobuf.UInt32Value.of(port)));
      if (ServicePortInfo.AUTO.equals(ServicePortInfo.protocolOrAuto(null, e.getKey()))) {
        // no protocol in the port's name: sniffed, an HTTP and a TCP chain (Istio's inbound sniffing);
        // HTTP goes to the app in the protocol it came in (gRPC stays HTTP/2)
        clusters.put(name, Sniffing.followDownstreamProtocol(clusters.get(name)));
        var http = chain.clone().addFilters(inboundHttp(port, name, authz, operations.get(port))).build();
        var tcp = chain.clone();
        if (authz != null) {
          tcp.addAllFilters(authz.tcp());
        }
        sniffed.add(new FilterChain[] {http, tcp.addFilters(Filters.tcpProxy(name, name)).build()});
        continue;
      }
      var protocol = ServicePortInfo.protocolOf(null, e.getKey());
      if (Sniffing.isHttp2(protocol)) {
        clusters.put(name, Sniffing.explicitHttp2(clusters.get(name))); // gRPC reaches the app as HTTP/2, as Istio's inbound cluster
      }
      if (protocol.matches("HTTP|HTTP2|GRPC|GRPC-WEB")) {
        chain.addFilters(inboundHttp(port, name, authz, operations.get(port)));
      } else {
        if (authz != null) {
          chain.addAllFilters(authz.tcp());
        }
        chain.addFilters(Filters.tcpProxy(name, name));
      }
      l.addFilterChains(chain);
    }
    if (mtls != null) {
      // This sidecar holds a workload certificate: every app port's chain follows PeerAuthentication.
      var chains = new java.util.ArrayList<FilterChain>();
      boolean inspect = false;
      for (var c : l.getFilterChainsList()) {
        var port = c.getFilterChainMatch().getDestinationPort().getValue();
        var mode = mtls.mode(port);
        inspect |= mode == io.meshwork.config.security.PeerAuthentication.Mode.PERMISSIVE;
        chains.addAll(MeshTls.inboundChains(c.getName(), c.getFilterChainMatch(), c.getFiltersList(), mode));
      }
      l.clearFilterChains().addAllFilterChains(chains);
      if (inspect) {
        l.addListenerFilters(MeshTls.tlsInspector());
      }
    }
    for (var s : sniffed) {
      var match = s[0].getFilterChainMatch();
      var mode = mtls == null ? null : mtls.mode(match.getDestinationPort().getValue());
      var chains = Sniffing.inboundChains(s[0].getName(), match, s[0].getFiltersList(), s[1].getFiltersList(), mode);
      l.addAllFilterChains(chains);
      Sniffing.inspect(l);
      if (Sniffing.needsTls(chains)) {
        Sniffing.inspectTls(l);
      }
    }
    l.addFilterChains(FilterChain.newBuilder().setName(Names.INBOUND_PASSTHROUGH)
        .addFilters(Filters.tcpProxy(Names.INBOUND_PASSTHROUGH, Names.PASSTHROUGH)));
    return l.build();
  }

  private static Route.Builder decorate(Route.Builder route, String operation) {
    return operation == null ? route
        : route.setDecorator(io.envoyproxy.envoy.config.route.v3.Decorator.newBuilder().setOperation(operation));
  }

  /**
   * The inbound HTTP connection manager of an app port: every request to {@code inbound|PORT||},
   * behind the workload's authz; {@code operation} (null: none) names its spans.
   */
  private static io.envoyproxy.envoy.config.listener.v3.Filter inboundHttp(int port, String cluster,
      io.meshwork.control.security.InboundAuthz authz, String operation) {
    var rc = RouteConfiguration.newBuilder().setName(cluster).addVirtualHosts(VirtualHost.newBuilder().setName("inbound|http|" + port)
        .addDomains("*").addRoutes(decorate(Route.newBuilder().setName("default").setMatch(Matchers.routeMatch(null))
            .setRoute(RouteAction.newBuilder().setCluster(cluster).setTimeout(Protos.millis(0))), operation))).build();
    var hcm = Filters.inlineRoutes("inbound_0.0.0.0_" + port, rc);
    return authz == null ? hcm : authz.http(hcm);
  }

  /**
   * Local mode with mTLS: one listener per inbound port ({@code IP_PORT} on the workload's
   * address), the chains of virtualInbound for that app port, so the sidecar terminates mTLS next
   * to the app it forwards to.
   */
  static void local(NodeInfo node, Listener virtualInbound, Map<String, Listener> listeners) {
    if (node.ips().isEmpty()) {
      return;
    }
    var ip = node.ips().getFirst();
    for (var e : node.inboundPorts().entrySet()) {
      var app = node.appPorts().get(e.getKey());
      if (app == null || e.getValue() <= 0) {
        continue;
      }
      var name = Names.listener(ip, e.getValue());
      var l = Listener.newBuilder().setName(name).setAddress(Protos.address(ip, e.getValue()))
          .setTrafficDirection(io.envoyproxy.envoy.config.core.v3.TrafficDirection.INBOUND);
      for (var c : virtualInbound.getFilterChainsList()) {
        if (c.getFilterChainMatch().getDestinationPort().getValue() == app) {
          l.addFilterChains(c.toBuilder().setFilterChainMatch(c.getFilterChainMatch().toBuilder().clearDestinationPort()));
        }
      }
      if (l.getFilterChainsCount() > 1) {
        l.addListenerFilters(MeshTls.tlsInspector());
      }
      if (Sniffing.sniffs(l.getFilterChainsList())) {
        Sniffing.inspect(l);
      }
      listeners.put(name, l.build());
    }
  }
}
