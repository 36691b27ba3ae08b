package io.meshwork.control.translate;

import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshwork.config.HostNames;
import io.meshwork.config.networking.Gateway;
import io.meshwork.config.networking.VirtualService;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Listeners and routes of a gateway proxy: every Gateway whose selector matches the proxy's labels
 * opens its server ports ({@code 0.0.0.0_8080}); HTTP servers route through {@code http.8080}, with
 * one virtual host per host of each VirtualService bound to the Gateway; TCP servers use the
 * VirtualService's tcp routes; HTTPS/TLS servers terminate TLS or pass it through by SNI ({@link GatewayTls}).
 */
final class GatewayListeners {
  private final MeshContext ctx;
  private final NodeInfo node;
  private final RouteBuilder.Clusters clusters;
  private final Map<String, Listener> listeners;
  private final Map<String, RouteConfiguration> routes;
  private final Map<Gateway.Server, BoundServer> boundServers = new java.util.IdentityHashMap<>();

  GatewayListeners(MeshContext ctx, NodeInfo node, RouteBuilder.Clusters clusters, Map<String, Listener> listeners,
      Map<String, RouteConfiguration> routes) {
    this.ctx = ctx;
    this.node = node;
    this.clusters = clusters;
    this.listeners = listeners;
    this.routes = routes;
  }

  /** A server of a selected Gateway. */
  private record BoundServer(ConfigStore.Typed<Gateway> gateway, Gateway.Server server) {}

  void build() {
    var byPort = new TreeMap<Integer, List<BoundServer>>();
    for (var gw : ctx.gateways()) {
      if (gw.spec().selector().isEmpty() || !matches(gw.spec().selector(), node.labels())) {
        continue;
      }
      for (var s : gw.spec().servers()) {
        var bs = new BoundServer(gw, s);
        boundServers.put(s, bs);
        byPort.computeIfAbsent(s.port().number().intValue(), k -> new ArrayList<>()).add(bs);
      }
    }
    byPort.forEach(this::port);
  }

  private void port(int port, List<BoundServer> servers) {
    var first = servers.getFirst().server();
    var protocol = first.port().protocol();
    var p = protocol == null ? "HTTP" : protocol.toUpperCase(java.util.Locale.ROOT);
    var name = Names.listener("0.0.0.0", port);
    // OUTBOUND as Istio marks gateway listeners: the gateway's span is then a CLIENT span (Envoy's
    // "egress" direction), the one span an Istio ingress gateway reports per request.
    var l = Listener.newBuilder().setName(name).setAddress(Protos.address("0.0.0.0", port))
        .setTrafficDirection(io.envoyproxy.envoy.config.core.v3.TrafficDirection.OUTBOUND);
    var tls = first.tls();
    if (tls != null && tls.mode() != null && !p.equals("HTTP")) {
      if (!GatewayTls.build(l, port, servers.stream().map(BoundServer::server).toList(), p, this::serverRoutes, this::passthrough)) {
        return;
      }
    } else if (p.equals("HTTP") || p.equals("HTTP2") || p.equals("GRPC")) {
      var rc = httpRoutes(Names.gatewayRoute(port), servers, port);
      routes.put(rc.getName(), rc);
      l.addFilterChains(FilterChain.newBuilder().addFilters(Filters.rds("http." + port, rc.getName(), false)));
    } else if (p.equals("TCP") || p.equals("MONGO") || p.equals("REDIS") || p.equals("MYSQL")) {
      var filter = tcpFilter(servers, port);
      if (filter == null) {
        return;
      }
      l.addFilterChains(FilterChain.newBuilder().addFilters(filter));
    } else {
      return;
    }
    listeners.put(name, l.build());
  }

  /**
   * The route config of one TLS-terminating server ({@code https.443.PORT_NAME.GATEWAY.NS}, Istio's name: two HTTPS
   * servers on one port have distinct port names, so each keeps its own routes); returns its name.
   */
  private String serverRoutes(Gateway.Server server, int port) {
    var bs = boundServers.get(server);
    var id = server.port().name() != null && !server.port().name().isEmpty() ? server.port().name()
        : server.name() == null || server.name().isEmpty() ? "0" : server.name();
    var rcName = "https." + port + "." + id + "."
        + bs.gateway().name() + "." + bs.gateway().namespace();
    routes.put(rcName, httpRoutes(rcName, List.of(bs), port));
    return rcName;
  }

  /** TLS passthrough: the first VirtualService tls route of the server's Gateway matching the SNI names. */
  private List<GatewayTls.SniRoute> passthrough(Gateway.Server server, int port) {
    var bs = boundServers.get(server);
    var out = new ArrayList<GatewayTls.SniRoute>();
    for (var vs : ctx.virtualServices()) {
      if (!boundTo(vs, bs.gateway())) {
        continue;
      }
      for (var t : vs.spec().tls()) {
        for (var m : t.match()) {
          if (!t.route().isEmpty() && (m.port() == null || m.port() == port)) {
            out.add(new GatewayTls.SniRoute(m.sniHosts(), clusters.cluster(t.route().getFirst().destination(), vs.namespace(), port)));
          }
        }
      }
    }
    return out;
  }

  private RouteConfiguration httpRoutes(String rcName, List<BoundServer> servers, int port) {
    var rc = RouteConfiguration.newBuilder().setName(rcName);
    var vhosts = new LinkedHashMap<String, VirtualHost.Builder>();
    for (var bs : servers) {
      for (var vs : ctx.virtualServices()) {
        if (!boundTo(vs, bs.gateway())) {
          continue;
        }
        for (var h : vs.spec().hosts()) {
          if (!serverAccepts(bs, h, vs.namespace())) {
            continue;
          }
          var vh = vhosts.computeIfAbsent(h + ":" + port, k -> h.equals("*") ? VirtualHost.newBuilder().setName(k).addDomains("*")
              : VirtualHost.newBuilder().setName(k).addDomains(h).addDomains(h + ":" + port));
          if (bs.server().tls() != null && bs.server().tls().httpsRedirect()) {
            vh.setRequireTls(VirtualHost.TlsRequirementType.ALL);
          }
          var gwName = bs.gateway().namespace() + "/" + bs.gateway().name();
          for (var r : Delegates.expand(ctx, vs.spec().http(), vs.namespace())) {
            vh.addAllRoutes(RouteBuilder.build(r.route(), r.namespace(), port, clusters, m -> gatewayMatch(m, gwName, bs.gateway(), port)));
          }
        }
      }
    }
    vhosts.values().forEach(rc::addVirtualHosts);
    return rc.build();
  }

  private io.envoyproxy.envoy.config.listener.v3.Filter tcpFilter(List<BoundServer> servers, int port) {
    for (var bs : servers) {
      for (var vs : ctx.virtualServices()) {
        if (!boundTo(vs, bs.gateway())) {
          continue;
        }
        for (var t : vs.spec().tcp()) {
          if (!t.route().isEmpty() && (t.match().isEmpty() || t.match().stream().anyMatch(m -> m.port() == null || m.port() == port))) {
            return Filters.tcpProxy("tcp." + port, clusters.cluster(t.route().getFirst().destination(), vs.namespace(), port));
          }
        }
      }
    }
    return null;
  }

  private boolean gatewayMatch(io.meshwork.config.networking.HTTPMatchRequest m, String gwName, ConfigStore.Typed<Gateway> gw, int port) {
    if (m.port() != null && m.port() != port) {
      return false;
    }
    return m.gateways().isEmpty() || m.gateways().contains(gwName) || m.gateways().contains(gw.name());
  }

  static boolean boundTo(ConfigStore.Typed<VirtualService> vs, ConfigStore.Typed<Gateway> gw) {
    for (var g : vs.spec().gateways()) {
      var full = g.contains("/") ? g : g.contains(".") ? g.substring(g.indexOf('.') + 1) + "/" + g.substring(0, g.indexOf('.'))
          : vs.namespace() + "/" + g;
      if (full.equals(gw.namespace() + "/" + gw.name())) {
        return true;
      }
    }
    return false;
  }

  /** Server hosts are {@code [ns/]host} patterns; {@code *} accepts every VirtualService host. */
  private static boolean serverAccepts(BoundServer bs, String vsHost, String vsNs) {
    var hosts = bs.server().hosts().isEmpty() ? List.of("*") : bs.server().hosts();
    for (var h : hosts) {
      var slash = h.indexOf('/');
      var ns = slash < 0 ? "*" : h.substring(0, slash);
      var host = slash < 0 ? h : h.substring(slash + 1);
      boolean nsOk = ns.equals("*") || (ns.equals(".") ? vsNs.equals(bs.gateway().namespace()) : ns.equals(vsNs));
      if (nsOk && (host.equals("*") || HostNames.matches(host, vsHost) || HostNames.matches(vsHost, host))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }
}
