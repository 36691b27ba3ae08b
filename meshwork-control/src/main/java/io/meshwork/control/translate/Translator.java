package io.meshwork.control.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.meshwork.config.HostNames;
import io.meshwork.config.networking.Destination;
import io.meshwork.config.networking.HTTPMatchRequest;
import io.meshwork.config.networking.Sidecar;
import io.meshwork.control.registry.MeshService;
import io.meshwork.control.registry.ServicePortInfo;
import io.meshwork.xds.client.NodeInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Translates the mesh for one proxy. Stateless; call {@link #translate} per proxy per push.
 *
 * <ul>
 *   <li>clusters: {@code outbound|PORT||HOST} per visible service port, one more per
 *       DestinationRule subset, {@code inbound|PORT||} per app port, PassthroughCluster, BlackHoleCluster;
 *   <li>routes: one config per HTTP port named by the port ({@code 9080}) with one virtual host per service;
 *       {@code HOST:PORT} for a local-mode bind or a proxyless gRPC listener; {@code http.PORT} on gateways;
 *   <li>listeners: {@code 0.0.0.0_PORT} per outbound HTTP port, {@code VIP_PORT} (or {@code 0.0.0.0_PORT})
 *       per TCP service port, {@code virtualOutbound} (15001), {@code virtualInbound} (15006), one per
 *       local-mode bind ({@code 127.0.0.1_16001}); api listeners {@code HOST:PORT} for proxyless gRPC.
 * </ul>
 */
public final class Translator {
  /** Memo key head of a scope's shared outbound view ({@link Shared}). */
  static final String OUTBOUND = "outbound";
  /** Memo key head of the previous revision's view of a scope, carried by {@link MeshContext#next}. */
  static final String PREVIOUS = "previous";
  /** Memo key head of the task that builds a scope's view once per revision. */
  static final String TASK = "outbound-task";

  private Translator() {}

  public static ProxyResources translate(MeshContext ctx, NodeInfo node) {
    return new Translator.Run(ctx, node).run();
  }

  /**
   * The same translation with nothing shared between proxies: every part built for this proxy
   * alone. Tests hold {@link #translate} to it (the shared outbound view must equal this).
   */
  static ProxyResources translateUnshared(MeshContext ctx, NodeInfo node) {
    var run = new Translator.Run(ctx, node);
    run.share = false;
    return run.run();
  }

  /**
   * What every sidecar of one outbound scope receives alike: clusters and endpoints of the
   * services it sees, the outbound route configurations and listeners (virtualOutbound included),
   * with the scope's stats config. Built once per push per scope (see {@link Run#scopeKey}).
   */
  record Shared(SortedMap<String, Listener> listeners, SortedMap<String, RouteConfiguration> routes,
      SortedMap<String, Cluster> clusters, SortedMap<String, ClusterLoadAssignment> endpoints) {}

  private static final class Run implements RouteBuilder.Clusters {
    final MeshContext ctx;
    final NodeInfo node;
    final Sidecar sidecar;
    final boolean allowAny;
    final Map<String, Listener> listeners = new LinkedHashMap<>();
    final Map<String, RouteConfiguration> routes = new LinkedHashMap<>();
    final Map<String, Cluster> clusters = new LinkedHashMap<>();
    final Map<String, ClusterLoadAssignment> endpoints = new LinkedHashMap<>();

    Run(MeshContext ctx, NodeInfo node) {
      this.ctx = ctx;
      this.node = node;
      this.sidecar = ctx.sidecarFor(node);
      var mode = sidecar == null || sidecar.outboundTrafficPolicy() == null ? null : sidecar.outboundTrafficPolicy().mode();
      this.allowAny = mode == null ? ctx.allowAny() : mode == Sidecar.OutboundTrafficPolicy.Mode.ALLOW_ANY;
    }

    /** False: build everything for this proxy alone ({@link #translateUnshared}). */
    boolean share = true;

    ProxyResources run() {
      if (share && !node.isProxylessGrpc() && !node.isGateway()) {
        return sharedSidecar();
      }
      var services = visibleServices();
      for (var svc : services) {
        buildClusters(svc);
      }
      clusters.put(Names.BLACKHOLE, ClusterBuilder.blackHole());
      clusters.put(Names.PASSTHROUGH, ClusterBuilder.passthrough());
      if (node.isProxylessGrpc()) {
        proxyless(services);
      } else if (node.isGateway()) {
        new GatewayListeners(ctx, node, this, listeners, routes).build();
      } else {
        outbound(services);
        binds();
        inbound();
      }
      TelemetryStats.apply(ctx, node, listeners);
      return ProxyResources.of(listeners, routes, clusters, endpoints);
    }

    /**
     * A sidecar: the outbound part from the scope's shared view, only the inbound side and the
     * local-mode binds built per proxy. Same resources as the unshared path (which fills one map
     * with outbound, then binds, then inbound, and adds stats per listener last).
     */
    ProxyResources sharedSidecar() {
      var key = scopeKey();
      // One builder per scope: the proxies of a push are translated in parallel. The others wait
      // parked (FutureTask.get), not spinning on a monitor: a profile showed 1,000 virtual threads
      // spinning on a synchronized block for 40 % of a change's CPU while one of them built the view.
      var task = ctx.memo(List.of(TASK, key), () -> new java.util.concurrent.FutureTask<Shared>(() -> ctx.memo(key, () -> {
        var built = new Run(ctx, node).sharedOutbound();
        var prev = ctx.memo().get(List.of(PREVIOUS, key)) instanceof Shared p ? p : null;
        return prev == null ? built : new Shared(same(prev.listeners(), built.listeners()), same(prev.routes(), built.routes()),
            same(prev.clusters(), built.clusters()), same(prev.endpoints(), built.endpoints()));
      })));
      task.run(); // no-op when another proxy's translation already runs or ran it
      Shared shared;
      try {
        shared = task.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while the shared outbound view was built", e);
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
      }
      binds();
      inbound();
      TelemetryStats.apply(ctx, node, listeners);
      return new ProxyResources(Layered.of(shared.listeners(), listeners), Layered.of(shared.routes(), routes),
          Layered.of(shared.clusters(), clusters), Layered.of(shared.endpoints(), endpoints));
    }

    /** The previous revision's map when it holds the same resources, so it keeps its identity across pushes. */
    static <V> SortedMap<String, V> same(SortedMap<String, V> prev, SortedMap<String, V> next) {
      return prev.equals(next) ? prev : next;
    }

    /**
     * What the outbound translation reads of a proxy: its namespace (visibility, exportTo, short
     * domains, sourceNamespace matches), its Sidecar (egress scope, outbound traffic policy), its
     * labels only when some VirtualService matches on sourceLabels, and the Telemetry resources
     * that apply to it (stats config on every listener).
     */
    List<Object> scopeKey() {
      boolean bySourceLabels = ctx.memo(List.of("sourceLabels?"), () -> ctx.virtualServices().stream()
          .anyMatch(vs -> vs.spec().http().stream().anyMatch(r -> r.match().stream().anyMatch(m -> !m.sourceLabels().isEmpty()))));
      return List.of(OUTBOUND, node.namespace(), sidecar == null ? "" : sidecar, allowAny, bySourceLabels ? node.labels() : "",
          TelemetryStats.applicable(ctx, node));
    }

    Shared sharedOutbound() {
      var services = visibleServices();
      for (var svc : services) {
        buildClusters(svc);
      }
      clusters.put(Names.BLACKHOLE, ClusterBuilder.blackHole());
      clusters.put(Names.PASSTHROUGH, ClusterBuilder.passthrough());
      outbound(services);
      TelemetryStats.apply(ctx, node, listeners);
      var r = ProxyResources.of(listeners, routes, clusters, endpoints);
      return new Shared(r.listeners(), r.routes(), r.clusters(), r.endpoints());
    }

    List<MeshService> visibleServices() {
      var out = new ArrayList<MeshService>();
      for (var svc : ctx.registry().services()) {
        if (svc.visibleFrom(node.namespace()) && inEgressScope(svc)) {
          out.add(svc);
        }
      }
      return out;
    }

    /** Sidecar egress hosts ({@code ns/host}, {@code ./*}, {@code * /host}) limit what a proxy sees. */
    boolean inEgressScope(MeshService svc) {
      if (sidecar == null || sidecar.egress().isEmpty()) {
        return true;
      }
      for (var eg : sidecar.egress()) {
        for (var h : eg.hosts()) {
          var slash = h.indexOf('/');
          var ns = slash < 0 ? "*" : h.substring(0, slash);
          var host = h.substring(slash + 1);
          boolean nsOk = ns.equals("*") || (ns.equals(".") ? svc.namespace().equals(node.namespace()) : ns.equals(svc.namespace()));
          if (nsOk && (host.equals("*") || HostNames.matches(host, svc.hostname()))) {
            return true;
          }
        }
      }
      return false;
    }

    void buildClusters(MeshService svc) {
      var built = ctx.memo(List.of("clusters", svc.hostname(), node.namespace()), () -> ServiceClusters.of(ctx, svc, node.namespace()));
      clusters.putAll(built.clusters());
      endpoints.putAll(built.endpoints());
    }

    @Override
    public List<RouteAction.HashPolicy> hashPolicy(Destination d, String ns) {
      var svc = ctx.registry().resolve(d.host(), ns);
      var dr = svc == null ? null : ctx.destinationRule(svc.hostname(), node.namespace());
      if (dr == null) {
        return List.of();
      }
      int port = d.port() != null && d.port().number() != null ? d.port().number() : svc.ports().isEmpty() ? 0 : svc.ports().getFirst().number();
      io.meshwork.config.networking.TrafficPolicy subsetPolicy = null;
      for (var s : dr.spec().subsets()) {
        if (s.name().equals(d.subset())) {
          subsetPolicy = s.trafficPolicy();
        }
      }
      var lb = EffectivePolicy.of(dr.spec().trafficPolicy(), subsetPolicy, port).loadBalancer();
      return lb == null ? List.of() : HashPolicies.of(lb.consistentHash());
    }

    @Override
    public String cluster(Destination d, String ns, int listenerPort) {
      var svc = ctx.registry().resolve(d.host(), ns);
      var fqdn = svc != null ? svc.hostname() : HostNames.fqdn(d.host(), ns);
      int port = listenerPort;
      if (d.port() != null && d.port().number() != null) {
        port = d.port().number();
      } else if (svc != null && svc.ports().size() == 1) {
        port = svc.ports().getFirst().number();
      }
      return Names.outboundCluster(port, d.subset(), fqdn);
    }

    boolean applies(HTTPMatchRequest m, int port) {
      if (m.port() != null && m.port() != port) {
        return false;
      }
      if (m.sourceNamespace() != null && !m.sourceNamespace().isEmpty() && !m.sourceNamespace().equals(node.namespace())) {
        return false;
      }
      for (var e : m.sourceLabels().entrySet()) {
        if (!e.getValue().equals(node.labels().get(e.getKey()))) {
          return false;
        }
      }
      return m.gateways().isEmpty() || m.gateways().contains("mesh");
    }

    /** The routes of a service port: its VirtualService's, else one default route. */
    List<Route> serviceRoutes(MeshService svc, ServicePortInfo port) {
      var vs = ctx.meshVirtualService(svc, node.namespace());
      var out = new ArrayList<Route>();
      if (vs != null) {
        for (var r : Delegates.expand(ctx, vs.spec().http(), vs.namespace())) {
          out.addAll(RouteBuilder.build(r.route(), r.namespace(), port.number(), this, m -> applies(m, port.number())));
        }
        if (!out.isEmpty() || !vs.spec().http().isEmpty()) {
          return out;
        }
      }
      var route = RouteBuilder.defaultRoute(Names.outboundCluster(port.number(), null, svc.hostname()));
      var hash = hashPolicy(new Destination(svc.hostname(), null, new io.meshwork.config.networking.PortSelector(port.number())), svc.namespace());
      out.add(hash.isEmpty() ? route : route.toBuilder().setRoute(route.getRoute().toBuilder().addAllHashPolicy(hash)).build());
      return out;
    }

    void outbound(List<MeshService> services) {
      var byPort = new TreeMap<Integer, List<VirtualHost>>();
      var sniffedWithoutVip = new java.util.HashSet<Integer>();
      for (var svc : services) {
        for (var port : svc.ports()) {
          if (port.isAuto() && !svc.addresses().isEmpty()) {
            sniffingListener(svc, port);
            continue;
          }
          if (port.isAuto()) {
            sniffedWithoutVip.add(port.number()); // its cluster offers only istio: HTTP needs the istio.alpn override
          }
          if (port.isHttp() || port.isAuto()) { // a sniffed port without a VIP: the shared 0.0.0.0_PORT HTTP listener, as before
            VirtualHost vh = ctx.memo(List.of("vhost", svc.hostname(), port.number(), node.namespace(), labelsKey(svc)),
                () -> VirtualHost.newBuilder().setName(svc.hostname() + ":" + port.number()).addAllDomains(domains(svc, port.number()))
                    .addAllRoutes(serviceRoutes(svc, port)).build());
            byPort.computeIfAbsent(port.number(), k -> new ArrayList<>()).add(vh);
          } else {
            tcpListener(svc, port);
          }
        }
      }
      byPort.forEach((port, vhosts) -> {
        RouteConfiguration rc = ctx.memo(List.of("rc", port, allowAny, vhosts), () -> RouteConfiguration.newBuilder()
            .setName(Integer.toString(port)).addAllVirtualHosts(vhosts)
            .addVirtualHosts(catchAll()).setValidateClusters(com.google.protobuf.BoolValue.of(false)).build());
        routes.put(rc.getName(), rc);
        var name = Names.listener("0.0.0.0", port);
        var hcm = Filters.rds("outbound_0.0.0.0_" + port, rc.getName(), false);
        listeners.putIfAbsent(name, Listener.newBuilder().setName(name).setAddress(Protos.address("0.0.0.0", port))
            .setTrafficDirection(io.envoyproxy.envoy.config.core.v3.TrafficDirection.OUTBOUND)
            .addFilterChains(FilterChain.newBuilder().addFilters(sniffedWithoutVip.contains(port) ? Sniffing.withAlpnOverride(hcm) : hcm))
            .build());
      });
      var passthrough = allowAny ? Names.PASSTHROUGH : Names.BLACKHOLE;
      listeners.put(Names.VIRTUAL_OUTBOUND, Listener.newBuilder().setName(Names.VIRTUAL_OUTBOUND)
          .setAddress(Protos.address("0.0.0.0", Names.OUTBOUND_PORT)).setUseOriginalDst(com.google.protobuf.BoolValue.of(true))
          .setTrafficDirection(io.envoyproxy.envoy.config.core.v3.TrafficDirection.OUTBOUND)
          .addFilterChains(FilterChain.newBuilder().setName(passthrough).addFilters(Filters.tcpProxy(passthrough, passthrough))).build());
    }

    /** The proxy's labels when the service's VirtualService matches on sourceLabels (routes then differ per workload), else empty. */
    Object labelsKey(MeshService svc) {
      var vs = ctx.meshVirtualService(svc, node.namespace());
      if (vs != null && vs.spec().http().stream().anyMatch(r -> r.match().stream().anyMatch(m -> !m.sourceLabels().isEmpty()))) {
        return node.labels();
      }
      return "";
    }

    /** ALLOW_ANY: unknown hosts go where the app sent them; REGISTRY_ONLY: 502, as Istio's {@code block_all}. */
    VirtualHost catchAll() {
      if (allowAny) {
        return VirtualHost.newBuilder().setName("allow_any").addDomains("*").addRoutes(Route.newBuilder().setName("allow_any")
            .setMatch(Matchers.routeMatch(null)).setRoute(RouteAction.newBuilder().setCluster(Names.PASSTHROUGH).setTimeout(Protos.millis(0))))
            .build();
      }
      return VirtualHost.newBuilder().setName("block_all").addDomains("*").addRoutes(Route.newBuilder().setName("block_all")
          .setMatch(Matchers.routeMatch(null)).setDirectResponse(DirectResponseAction.newBuilder().setStatus(502))).build();
    }

    /** Istio's domains for a service: the FQDN, the short forms a client of the same namespace may use, VIPs; each with and without port. */
    List<String> domains(MeshService svc, int port) {
      var names = new ArrayList<String>();
      names.add(svc.hostname());
      var ns = HostNames.namespaceOf(svc.hostname());
      if (ns != null) {
        var shortName = svc.hostname().substring(0, svc.hostname().indexOf('.'));
        if (ns.equals(node.namespace())) {
          names.add(shortName);
        }
        names.add(shortName + "." + ns);
        names.add(shortName + "." + ns + ".svc");
      }
      names.addAll(svc.addresses());
      var out = new ArrayList<String>();
      for (var n : names) {
        out.add(n);
        out.add(n + ":" + port);
      }
      return out;
    }

    /**
     * A port of unknown protocol with a VIP: {@code VIP_PORT} sniffs each connection (http_inspector),
     * HTTP to the service's own route config ({@code HOST:PORT}, its VirtualService's http routes),
     * anything else to the TCP proxy (its tcp routes, else the service's cluster), as Istio does.
     */
    void sniffingListener(MeshService svc, ServicePortInfo port) {
      var ip = svc.addresses().getFirst();
      var name = Names.listener(ip, port.number());
      if (listeners.containsKey(name)) {
        return;
      }
      var rc = serviceRouteConfig(svc, port);
      var http = Filters.rds("outbound_" + name, rc.getName(), false);
      var tcp = tcpFilter(svc, port, "outbound|" + port.number() + "||" + svc.hostname());
      var l = Listener.newBuilder().setName(name).setAddress(Protos.address(ip, port.number()))
          .setTrafficDirection(io.envoyproxy.envoy.config.core.v3.TrafficDirection.OUTBOUND)
          .addAllFilterChains(Sniffing.outboundChains(http, tcp));
      listeners.put(name, Sniffing.inspect(l).build());
    }

    void tcpListener(MeshService svc, ServicePortInfo port) {
      var ip = svc.addresses().isEmpty() ? "0.0.0.0" : svc.addresses().getFirst();
      var name = Names.listener(ip, port.number());
      if (port.protocol().equals("TLS") || port.protocol().equals("HTTPS")) {
        var existing = listeners.get(name);
        if (existing == null || existing.getListenerFiltersCount() > 0) {
          listeners.put(name, TlsListeners.addService(existing, name, ip, svc, port, ctx.meshVirtualService(svc, node.namespace()), this));
        }
        return;
      }
      if (listeners.containsKey(name)) {
        return;
      }
      listeners.put(name, Listener.newBuilder().setName(name).setAddress(Protos.address(ip, port.number()))
          .setTrafficDirection(io.envoyproxy.envoy.config.core.v3.TrafficDirection.OUTBOUND)
          .addFilterChains(FilterChain.newBuilder().addFilters(tcpFilter(svc, port, "outbound|" + port.number() + "||" + svc.hostname())))
          .build());
    }

    io.envoyproxy.envoy.config.listener.v3.Filter tcpFilter(MeshService svc, ServicePortInfo port, String statPrefix) {
      var vs = ctx.meshVirtualService(svc, node.namespace());
      if (vs != null) {
        for (var t : vs.spec().tcp()) {
          boolean matches = t.match().isEmpty() || t.match().stream().anyMatch(m -> m.port() == null || m.port() == port.number());
          if (!matches || t.route().isEmpty()) {
            continue;
          }
          if (t.route().size() == 1) {
            return Filters.tcpProxy(statPrefix, cluster(t.route().getFirst().destination(), vs.namespace(), port.number()));
          }
          var w = io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.WeightedCluster.newBuilder();
          for (var d : t.route()) {
            w.addClusters(io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                .setName(cluster(d.destination(), vs.namespace(), port.number())).setWeight(d.weight()));
          }
          return Filters.tcpProxy(statPrefix, w.build());
        }
      }
      return Filters.tcpProxy(statPrefix, Names.outboundCluster(port.number(), null, svc.hostname()));
    }

    /** Local mode: one listener per upstream bind the proxy asked for, routing only to that service. */
    void binds() {
      for (var e : node.upstreamBinds().entrySet()) {
        var target = e.getKey();
        int colon = target.lastIndexOf(':');
        int bindColon = e.getValue().lastIndexOf(':');
        if (colon < 0 || bindColon < 0) {
          continue;
        }
        var svc = ctx.registry().resolve(target.substring(0, colon), node.namespace());
        int portNo;
        int bindPort;
        try {
          portNo = Integer.parseInt(target.substring(colon + 1));
          bindPort = Integer.parseInt(e.getValue().substring(bindColon + 1));
        } catch (NumberFormatException ex) {
          continue;
        }
        var port = svc == null ? null : svc.port(portNo);
        if (port == null) {
          continue;
        }
        var ip = e.getValue().substring(0, bindColon);
        var name = Names.listener(ip, bindPort);
        var l = Listener.newBuilder().setName(name).setAddress(Protos.address(ip, bindPort))
            .setTrafficDirection(io.envoyproxy.envoy.config.core.v3.TrafficDirection.OUTBOUND);
        if (port.isAuto()) {
          var rc = serviceRouteConfig(svc, port);
          l.addAllFilterChains(Sniffing.outboundChains(Filters.rds("outbound_" + name, rc.getName(), false),
              tcpFilter(svc, port, "outbound|" + portNo + "||" + svc.hostname())));
          Sniffing.inspect(l);
        } else if (port.isHttp()) {
          var rc = serviceRouteConfig(svc, port);
          l.addFilterChains(FilterChain.newBuilder().addFilters(Filters.rds("outbound_" + name, rc.getName(), false)));
        } else {
          l.addFilterChains(FilterChain.newBuilder().addFilters(tcpFilter(svc, port, "outbound|" + portNo + "||" + svc.hostname())));
        }
        listeners.put(name, l.build());
      }
    }

    RouteConfiguration serviceRouteConfig(MeshService svc, ServicePortInfo port) {
      var rc = RouteConfiguration.newBuilder().setName(Names.serviceRoute(svc.hostname(), port.number()))
          .addVirtualHosts(VirtualHost.newBuilder().setName(svc.hostname() + ":" + port.number()).addDomains("*")
              .addAllRoutes(serviceRoutes(svc, port)))
          .build();
      routes.put(rc.getName(), rc);
      return rc;
    }

    /** Proxyless gRPC: api listeners per service port, named {@code HOST:PORT} (FQDN and short forms) as the client asks for it. */
    void proxyless(List<MeshService> services) {
      for (var svc : services) {
        for (var port : svc.ports()) {
          if (!port.isHttp() && !port.isAuto()) {
            continue; // proxyless gRPC speaks HTTP/2: a sniffed port is served as HTTP
          }
          var rc = serviceRouteConfig(svc, port);
          var hcm = Filters.hcm(rc.getName(), true).setRds(io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds
              .newBuilder().setConfigSource(Protos.ads()).setRouteConfigName(rc.getName()));
          var api = ApiListener.newBuilder().setApiListener(Protos.any(hcm.build())).build();
          // The name the client writes after xds:///, FQDN or the short forms a client of the namespace may use.
          for (var d : domains(svc, port.number())) {
            if (d.endsWith(":" + port.number()) && !svc.addresses().contains(d.substring(0, d.lastIndexOf(':')))) {
              listeners.put(d, Listener.newBuilder().setName(d).setApiListener(api).build());
            }
          }
        }
      }
    }

    void inbound() {
      // Local mode (inbound ports) and capture mode: the sidecar terminates mTLS in front of the app.
      var mtls = node.inboundPorts().isEmpty() && !node.isCaptured() ? null : MeshTls.peerAuthentication(ctx, node);
      var authz = io.meshwork.control.security.InboundAuthz.of(
          ctx.snapshot(), io.meshwork.control.security.InboundAuthz.ROOT_NAMESPACE, node.namespace(), node.labels());
      var services = ctx.registry().selectorCandidates(node.namespace(), node.labels());
      var inbound = InboundListener.build(node, clusters, mtls, authz, InboundServices.operations(node, services));
      InboundServices.annotate(node, services, clusters);
      listeners.put(Names.VIRTUAL_INBOUND, inbound);
      InboundListener.local(node, inbound, listeners);
    }
  }
}
