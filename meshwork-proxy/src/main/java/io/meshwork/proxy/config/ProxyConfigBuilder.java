package io.meshwork.proxy.config;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.access_loggers.stream.v3.StdoutAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.meshwork.xds.EnvoyTypes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Translates Envoy protos into a {@link ProxyConfig} once per update. Everything the request path
 * needs is resolved here (regexes compiled, defaults applied, cluster references checked), and
 * anything the proxy cannot honour yet is rejected with its field path rather than ignored.
 */
public final class ProxyConfigBuilder {
  private static final Set<String> SUPPORTED_CLUSTER_TYPES = Set.of("STATIC", "STRICT_DNS", "LOGICAL_DNS");

  private ProxyConfigBuilder() {}

  /** Builds the snapshot described by a static bootstrap. */
  public static ProxyConfig fromBootstrap(Bootstrap bootstrap, long version) throws ConfigException {
    if (bootstrap.hasDynamicResources()) {
      throw new ConfigException("dynamic_resources", "xDS subscriptions are not supported yet; use static_resources");
    }
    var sr = bootstrap.getStaticResources();
    var resources = new LinkedHashMap<String, Message>();
    var clusters = new LinkedHashMap<String, ClusterConfig>();
    for (int i = 0; i < sr.getClustersCount(); i++) {
      var c = sr.getClusters(i);
      var path = "static_resources.clusters[" + i + "]";
      var built = cluster(c, path);
      if (clusters.put(built.name(), built) != null) {
        throw new ConfigException(path + ".name", "duplicate cluster name \"" + c.getName() + "\"");
      }
      resources.put("cluster/" + c.getName(), c);
    }
    var listeners = new ArrayList<ListenerConfig>();
    var names = new java.util.HashSet<String>();
    for (int i = 0; i < sr.getListenersCount(); i++) {
      var l = sr.getListeners(i);
      var path = "static_resources.listeners[" + i + "]";
      var built = listener(l, path, clusters.keySet());
      if (!names.add(built.name())) {
        throw new ConfigException(path + ".name", "duplicate listener name \"" + l.getName() + "\"");
      }
      listeners.add(withServiceName(built, bootstrap.getNode().getCluster()));
      resources.put("listener/" + built.name(), l);
    }
    InetSocketAddress admin = null;
    if (bootstrap.hasAdmin() && bootstrap.getAdmin().hasAddress()) {
      admin = address(bootstrap.getAdmin().getAddress(), "admin.address");
      if (!admin.getAddress().isLoopbackAddress()) {
        throw new ConfigException("admin.address.socket_address.address",
            "the admin interface must bind a loopback address (got " + admin.getHostString() + ")");
      }
    }
    resources.put("node", bootstrap.getNode()); // the workload's metadata, for telemetry (not dumped)
    return new ProxyConfig(version, bootstrap.getNode().getId(), admin, List.copyOf(listeners), Map.copyOf(clusters),
        java.util.Collections.unmodifiableMap(resources));
  }

  // Cluster.common_http_protocol_options is deprecated in favour of HttpProtocolOptions but is what
  // many bootstraps still use, so it is read deliberately.
  @SuppressWarnings("deprecation")
  public static ClusterConfig cluster(Cluster c, String path) throws ConfigException {
    if (c.getName().isEmpty()) {
      throw new ConfigException(path + ".name", "a cluster needs a name");
    }
    var type = c.hasClusterType() ? "cluster_type" : c.getType().name();
    if (!SUPPORTED_CLUSTER_TYPES.contains(type)) {
      throw new ConfigException(path + ".type", "cluster type " + type + " is not supported yet; use STATIC or STRICT_DNS");
    }
    LbPolicy lb = switch (c.getLbPolicy()) {
      case ROUND_ROBIN -> LbPolicy.ROUND_ROBIN;
      case LEAST_REQUEST -> LbPolicy.LEAST_REQUEST;
      case RANDOM -> LbPolicy.RANDOM;
      case RING_HASH -> LbPolicy.RING_HASH;
      case MAGLEV -> LbPolicy.MAGLEV;
      default -> throw new ConfigException(path + ".lb_policy", "load balancer " + c.getLbPolicy()
          + " is not supported yet; use ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH or MAGLEV");
    };
    long hashTableSize = lb == LbPolicy.MAGLEV ? 65_537 : 1024;
    if (lb == LbPolicy.RING_HASH && c.hasRingHashLbConfig() && c.getRingHashLbConfig().hasMinimumRingSize()) {
      hashTableSize = c.getRingHashLbConfig().getMinimumRingSize().getValue();
    }
    if (lb == LbPolicy.MAGLEV && c.hasMaglevLbConfig() && c.getMaglevLbConfig().hasTableSize()) {
      hashTableSize = c.getMaglevLbConfig().getTableSize().getValue();
      if (!java.math.BigInteger.valueOf(hashTableSize).isProbablePrime(20)) {
        throw new ConfigException(path + ".maglev_lb_config.table_size", "must be a prime number (Envoy's default is 65537)");
      }
    }
    int choiceCount = c.hasLeastRequestLbConfig() && c.getLeastRequestLbConfig().hasChoiceCount()
        ? c.getLeastRequestLbConfig().getChoiceCount().getValue() : 2;
    var connectTimeout = c.hasConnectTimeout() ? Protos.duration(c.getConnectTimeout()) : Duration.ofSeconds(5);
    var idle = c.hasCommonHttpProtocolOptions() && c.getCommonHttpProtocolOptions().hasIdleTimeout()
        ? Protos.duration(c.getCommonHttpProtocolOptions().getIdleTimeout()) : Duration.ofHours(1);
    var endpoints = new ArrayList<EndpointConfig>();
    var la = c.getLoadAssignment();
    for (int i = 0; i < la.getEndpointsCount(); i++) {
      var locality = la.getEndpoints(i);
      for (int j = 0; j < locality.getLbEndpointsCount(); j++) {
        var e = locality.getLbEndpoints(j);
        var ePath = path + ".load_assignment.endpoints[" + i + "].lb_endpoints[" + j + "]";
        if (!e.hasEndpoint()) {
          throw new ConfigException(ePath, "only inline endpoints are supported (endpoint.address)");
        }
        var addr = address(e.getEndpoint().getAddress(), ePath + ".endpoint.address");
        int weight = e.hasLoadBalancingWeight() ? e.getLoadBalancingWeight().getValue() : 1;
        if (weight < 1) {
          throw new ConfigException(ePath + ".load_balancing_weight", "weight must be at least 1");
        }
        boolean healthy = switch (e.getHealthStatus()) {
          case UNHEALTHY, DRAINING, TIMEOUT -> false;
          default -> true;
        };
        endpoints.add(new EndpointConfig(addr, weight, locality.getPriority(), healthy));
      }
    }
    if (c.getHealthChecksCount() > 0) {
      throw new ConfigException(path + ".health_checks", "active health checking is not supported yet");
    }
    var breakers = CircuitBreakers.DEFAULTS;
    for (var t : c.getCircuitBreakers().getThresholdsList()) {
      if (t.getPriority() == io.envoyproxy.envoy.config.core.v3.RoutingPriority.DEFAULT) {
        breakers = new CircuitBreakers(
            t.hasMaxConnections() ? t.getMaxConnections().getValue() : breakers.maxConnections(),
            t.hasMaxPendingRequests() ? t.getMaxPendingRequests().getValue() : breakers.maxPendingRequests(),
            t.hasMaxRequests() ? t.getMaxRequests().getValue() : breakers.maxRequests(),
            t.hasMaxRetries() ? t.getMaxRetries().getValue() : breakers.maxRetries());
      }
    }
    OutlierDetection outlier = null;
    if (c.hasOutlierDetection()) {
      var od = c.getOutlierDetection();
      var base = od.hasBaseEjectionTime() ? Protos.duration(od.getBaseEjectionTime()) : Duration.ofSeconds(30);
      outlier = new OutlierDetection(
          od.hasConsecutive5Xx() ? od.getConsecutive5Xx().getValue() : 5,
          od.hasConsecutiveGatewayFailure() ? od.getConsecutiveGatewayFailure().getValue() : 5,
          od.hasEnforcingConsecutive5Xx() ? od.getEnforcingConsecutive5Xx().getValue() : 100,
          od.hasEnforcingConsecutiveGatewayFailure() ? od.getEnforcingConsecutiveGatewayFailure().getValue() : 0,
          base,
          od.hasMaxEjectionTime() ? Protos.duration(od.getMaxEjectionTime()) : Duration.ofSeconds(300).compareTo(base) > 0
              ? Duration.ofSeconds(300) : base,
          od.hasMaxEjectionPercent() ? od.getMaxEjectionPercent().getValue() : 10,
          od.hasInterval() ? Protos.duration(od.getInterval()) : OutlierDetection.DEFAULT_INTERVAL);
    }
    var upstreamTls = c.hasTransportSocket() ? TlsTranslator.upstream(c.getTransportSocket(), path + ".transport_socket") : null;
    return new ClusterConfig(c.getName(), lb, Math.max(2, choiceCount), hashTableSize, connectTimeout, idle,
        List.copyOf(endpoints), breakers, outlier, http2(c, path), upstreamTls, null, maxRequestsPerConnection(c),
        useDownstreamProtocol(c));
  }

  /**
   * {@code max_requests_per_connection} (0: unlimited) from the cluster's
   * {@code common_http_protocol_options}, an {@code HttpProtocolOptions} extension's, or the deprecated
   * cluster field, in that order.
   */
  @SuppressWarnings("deprecation")
  static int maxRequestsPerConnection(Cluster c) throws ConfigException {
    if (c.hasCommonHttpProtocolOptions() && c.getCommonHttpProtocolOptions().hasMaxRequestsPerConnection()) {
      return c.getCommonHttpProtocolOptions().getMaxRequestsPerConnection().getValue();
    }
    for (var any : c.getTypedExtensionProtocolOptionsMap().values()) {
      if (any.is(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class)) {
        try {
          var o = any.unpack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class);
          if (o.hasCommonHttpProtocolOptions() && o.getCommonHttpProtocolOptions().hasMaxRequestsPerConnection()) {
            return o.getCommonHttpProtocolOptions().getMaxRequestsPerConnection().getValue();
          }
        } catch (InvalidProtocolBufferException e) {
          return 0; // reported with its path by http2()
        }
      }
    }
    return c.hasMaxRequestsPerConnection() ? c.getMaxRequestsPerConnection().getValue() : 0;
  }

  /**
   * Whether the cluster follows the downstream protocol (an {@code HttpProtocolOptions} with
   * {@code use_downstream_protocol_config}: HTTP/2 requests go upstream as HTTP/2, the others as
   * HTTP/1.1); validated with its path by {@link #http2}.
   */
  static boolean useDownstreamProtocol(Cluster c) {
    for (var any : c.getTypedExtensionProtocolOptionsMap().values()) {
      try {
        if (any.is(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class)
            && any.unpack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class).hasUseDownstreamProtocolConfig()) {
          return true;
        }
      } catch (InvalidProtocolBufferException e) {
        return false; // reported with its path by http2()
      }
    }
    return false;
  }

  /** Whether the proxy speaks HTTP/2 to {@code c}'s endpoints (explicit HTTP/2 options, legacy or typed). */
  @SuppressWarnings("deprecation")
  public static boolean http2(Cluster c, String path) throws ConfigException {
    boolean http2 = c.hasHttp2ProtocolOptions();
    for (var e : c.getTypedExtensionProtocolOptionsMap().entrySet()) {
      var ePath = path + ".typed_extension_protocol_options[" + e.getKey() + "]";
      if (!e.getValue().is(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class)) {
        throw new ConfigException(ePath, "only envoy.extensions.upstreams.http.v3.HttpProtocolOptions is supported");
      }
      io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions o;
      try {
        o = e.getValue().unpack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class);
      } catch (InvalidProtocolBufferException ex) {
        throw new ConfigException(ePath, "cannot be decoded (" + ex.getMessage() + ")");
      }
      switch (o.getUpstreamProtocolOptionsCase()) {
        case EXPLICIT_HTTP_CONFIG -> {
          var x = o.getExplicitHttpConfig();
          if (x.hasHttp3ProtocolOptions()) {
            throw new ConfigException(ePath + ".explicit_http_config.http3_protocol_options", "HTTP/3 is not supported");
          }
          http2 = x.hasHttp2ProtocolOptions();
        }
        case UPSTREAMPROTOCOLOPTIONS_NOT_SET -> { }
        case USE_DOWNSTREAM_PROTOCOL_CONFIG -> {
          if (o.getUseDownstreamProtocolConfig().hasHttp3ProtocolOptions()) {
            throw new ConfigException(ePath + ".use_downstream_protocol_config.http3_protocol_options", "HTTP/3 is not supported");
          }
        }
        default -> throw new ConfigException(ePath, o.getUpstreamProtocolOptionsCase()
            + " is not supported yet; use explicit_http_config or use_downstream_protocol_config");
      }
    }
    return http2;
  }

  /** Spans of a static bootstrap are named after the node's cluster when the tracer names no service (Envoy's --service-cluster). */
  private static ListenerConfig withServiceName(ListenerConfig l, String nodeCluster) {
    var chains = l.chains() == null ? null : l.chains().map(c -> withServiceName(c, nodeCluster)); // each chain serves on its own
    if (l.protocol() instanceof ListenerConfig.Http h && h.hcm().tracing() != null) {
      return new ListenerConfig(l.name(), l.address(), l.tls(),
          new ListenerConfig.Http(h.hcm().withTracing(h.hcm().tracing().withDefaultServiceName(nodeCluster))), chains);
    }
    return chains == null ? l : new ListenerConfig(l.name(), l.address(), l.tls(), l.protocol(), chains);
  }

  static ListenerConfig listener(Listener l, String path, Set<String> clusters) throws ConfigException {
    return listener(l, path, clusters, Map.of());
  }

  /** A listener whose HTTP connection managers may name route configurations in {@code rds} (from xDS). */
  public static ListenerConfig listener(Listener l, String path, Set<String> clusters,
      Map<String, io.envoyproxy.envoy.config.route.v3.RouteConfiguration> rds) throws ConfigException {
    if (l.getName().isEmpty()) {
      throw new ConfigException(path + ".name", "a listener needs a name");
    }
    var addr = address(l.getAddress(), path + ".address");
    boolean permissive = PermissiveChains.isPermissive(l);
    if (FilterChains.applies(l, permissive)) {
      return FilterChains.listener(l, addr, path, clusters, rds); // several chains, chosen per connection
    }
    var chain = permissive ? PermissiveChains.tlsChain(l) : l.getFilterChains(0);
    var chainPath = path + ".filter_chains[" + l.getFilterChainsList().indexOf(chain) + "]";
    return chain(l, l.getName(), addr, chain, chainPath, permissive, clusters, rds);
  }

  /** One filter chain served as the listener {@code name} (a whole listener, or one chain of several). */
  static ListenerConfig chain(Listener l, String name, InetSocketAddress addr, io.envoyproxy.envoy.config.listener.v3.FilterChain chain,
      String chainPath, boolean permissive, Set<String> clusters,
      Map<String, io.envoyproxy.envoy.config.route.v3.RouteConfiguration> rds) throws ConfigException {
    TlsConfig tls = chain.hasTransportSocket() ? TlsTranslator.downstream(chain.getTransportSocket(),
        chainPath + ".transport_socket") : null;
    if (permissive && tls != null) {
      tls = tls.permissive();
    }
    if (chain.getFiltersCount() == 0) {
      throw new ConfigException(chainPath + ".filters",
          "exactly one network filter (http_connection_manager or tcp_proxy) is supported for now");
    }
    int terminal = chain.getFiltersCount() - 1;
    var networkRbac = new ArrayList<RbacConfig>();
    for (int i = 0; i < terminal; i++) {
      var pre = chain.getFilters(i).getTypedConfig();
      var prePath = chainPath + ".filters[" + i + "].typed_config";
      if (!pre.is(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.class)) {
        throw new ConfigException(prePath, "only envoy.filters.network.rbac may precede the terminal network filter");
      }
      networkRbac.add(RbacTranslator.network(pre, prePath));
    }
    var filter = chain.getFilters(terminal);
    var fPath = chainPath + ".filters[" + terminal + "].typed_config";
    var any = filter.getTypedConfig();
    try {
      if (any.is(HttpConnectionManager.class)) {
        var hcm = any.unpack(HttpConnectionManager.class);
        if (!networkRbac.isEmpty()) {
          throw new ConfigException(chainPath + ".filters[0]", "network RBAC before an HTTP connection manager is not supported; use the HTTP RBAC filter");
        }
        var built = hcm(hcm, fPath, clusters, rds)
            .withTracing(TracingTranslator.tracing(hcm, fPath, clusters, l.getTrafficDirection()));
        return new ListenerConfig(name, addr, tls, new ListenerConfig.Http(built));
      }
      if (any.is(TcpProxy.class)) {
        var tcp = any.unpack(TcpProxy.class);
        return new ListenerConfig(name, addr, tls, new ListenerConfig.Tcp(tcp(tcp, fPath, clusters), List.copyOf(networkRbac)));
      }
    } catch (InvalidProtocolBufferException e) {
      throw new ConfigException(fPath, "cannot be decoded (" + e.getMessage() + ")");
    }
    throw new ConfigException(fPath + ".@type", "network filter " + any.getTypeUrl() + " is not supported yet");
  }

  static HttpConnectionManagerConfig hcm(HttpConnectionManager hcm, String path, Set<String> clusters)
      throws ConfigException {
    return hcm(hcm, path, clusters, Map.of());
  }

  static HttpConnectionManagerConfig hcm(HttpConnectionManager hcm, String path, Set<String> clusters,
      Map<String, io.envoyproxy.envoy.config.route.v3.RouteConfiguration> rds) throws ConfigException {
    var routeConfig = hcm.getRouteConfig();
    var routePath = path + ".route_config";
    if (hcm.hasRds() && !hcm.hasRouteConfig()) {
      routeConfig = rds.get(hcm.getRds().getRouteConfigName());
      routePath = "route_configuration[" + hcm.getRds().getRouteConfigName() + "]";
      if (routeConfig == null) {
        throw new ConfigException(path + ".rds.route_config_name", rds.isEmpty()
            ? "RDS needs a control plane; use an inline route_config in a static bootstrap"
            : "route configuration \"" + hcm.getRds().getRouteConfigName() + "\" was not received");
      }
    } else if (!hcm.hasRouteConfig()) {
      throw new ConfigException(path + ".route_config", "an inline route_config is required (or rds from a control plane)");
    }
    if (hcm.getHttpFiltersCount() == 0) {
      throw new ConfigException(path + ".http_filters", "the last HTTP filter must be envoy.filters.http.router");
    }
    var filters = new ArrayList<HttpFilterConfig>();
    var normalization = PathNormalizationConfig.of(hcm);
    if (normalization != null) {
      filters.add(normalization); // first: routing, RBAC and the upstream request all see the normalized path
    }
    for (int i = 0; i < hcm.getHttpFiltersCount(); i++) {
      var f = hcm.getHttpFilters(i);
      var fPath = path + ".http_filters[" + i + "]";
      boolean last = i == hcm.getHttpFiltersCount() - 1;
      boolean router = f.getTypedConfig().is(Router.class)
          || (!f.hasTypedConfig() && f.getName().equals("envoy.filters.http.router"));
      if (router != last) {
        throw new ConfigException(fPath, last ? "the last HTTP filter must be envoy.filters.http.router"
            : "the router must be the last HTTP filter");
      }
      if (router) {
        continue;
      }
      if (f.getTypedConfig().is(io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.class)) {
        try {
          filters.add(FaultTranslator.fault(f.getTypedConfig().unpack(
              io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.class), fPath + ".typed_config"));
        } catch (InvalidProtocolBufferException e) {
          throw new ConfigException(fPath + ".typed_config", "cannot be decoded (" + e.getMessage() + ")");
        }
      } else if (f.getTypedConfig().is(io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors.class)) {
        filters.add(CorsConfig.NONE); // the policy comes from each route's typed_per_filter_config
      } else if (f.getTypedConfig().is(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class)) {
        filters.add(RbacTranslator.http(f.getTypedConfig(), fPath + ".typed_config"));
      } else if (f.getTypedConfig().is(io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication.class)) {
        filters.add(JwtTranslator.jwt(f.getTypedConfig(), fPath + ".typed_config"));
      } else if (f.getName().equals(io.meshwork.xds.IstioAlpnFilter.NAME) || io.meshwork.xds.IstioAlpnFilter.is(f.getTypedConfig())) {
        filters.add(AlpnOverrideConfig.of(f.getTypedConfig(), fPath + ".typed_config")); // read by the router when it picks a pool
      } else if (f.getName().equals("istio.stats")) {
        continue; // Istio's stats config: read by the proxy's telemetry (ProxyTelemetry.update), not a request filter
      } else {
        throw new ConfigException(fPath, "HTTP filter \"" + f.getName() + "\" is not supported yet (supported: fault, cors, rbac, jwt_authn, router)");
      }
    }
    // Envoy's validate_clusters: on by default for an inline route_config, off for one loaded over RDS,
    // where a route to a cluster that does not exist (yet) loads and answers 503 NC when chosen.
    boolean fromRds = hcm.hasRds() && !hcm.hasRouteConfig();
    boolean validate = routeConfig.hasValidateClusters() ? routeConfig.getValidateClusters().getValue() : !fromRds;
    var routes = RouteTranslator.table(routeConfig, routePath, validate ? clusters : null, hcm.getStripAnyHostPort());
    int maxHeaders = hcm.hasMaxRequestHeadersKb() ? hcm.getMaxRequestHeadersKb().getValue() * 1024 : 60 * 1024;
    var codec = switch (hcm.getCodecType()) {
      case AUTO -> HttpConnectionManagerConfig.Codec.AUTO;
      case HTTP1 -> HttpConnectionManagerConfig.Codec.HTTP1;
      case HTTP2 -> HttpConnectionManagerConfig.Codec.HTTP2;
      default -> throw new ConfigException(path + ".codec_type", hcm.getCodecType() + " is not supported; use AUTO, HTTP1 or HTTP2");
    };
    return new HttpConnectionManagerConfig(hcm.getStatPrefix(), codec, routes, maxHeaders, 1024 * 1024,
        accessLogs(hcm.getAccessLogList(), path + ".access_log"), List.copyOf(filters), upgrades(hcm, path),
        hcm.hasCommonHttpProtocolOptions() && hcm.getCommonHttpProtocolOptions().hasIdleTimeout()
            ? Protos.duration(hcm.getCommonHttpProtocolOptions().getIdleTimeout()) : Duration.ofHours(1))
        .withRequestHeadersTimeout(hcm.hasRequestHeadersTimeout() ? Protos.duration(hcm.getRequestHeadersTimeout()) : Duration.ZERO);
  }

  static java.util.Set<String> upgrades(HttpConnectionManager hcm, String path) throws ConfigException {
    var types = new java.util.HashSet<String>();
    for (int i = 0; i < hcm.getUpgradeConfigsCount(); i++) {
      var u = hcm.getUpgradeConfigs(i);
      var type = u.getUpgradeType().toLowerCase(java.util.Locale.ROOT);
      if (!type.equals("websocket")) {
        throw new ConfigException(path + ".upgrade_configs[" + i + "].upgrade_type",
            "upgrade type \"" + u.getUpgradeType() + "\" is not supported yet (supported: websocket)");
      }
      if (!u.hasEnabled() || u.getEnabled().getValue()) {
        types.add(type);
      }
    }
    return java.util.Set.copyOf(types);
  }

  static TcpProxyConfig tcp(TcpProxy tcp, String path, Set<String> clusters) throws ConfigException {
    if (!tcp.hasCluster() && tcp.getCluster().isEmpty()) {
      throw new ConfigException(path + ".cluster", "tcp_proxy needs a cluster (weighted_clusters is not supported yet)");
    }
    if (!clusters.contains(tcp.getCluster())) {
      throw new ConfigException(path + ".cluster", "unknown cluster \"" + tcp.getCluster() + "\"");
    }
    var idle = tcp.hasIdleTimeout() ? Protos.duration(tcp.getIdleTimeout()) : Duration.ofHours(1);
    return new TcpProxyConfig(tcp.getStatPrefix(), tcp.getCluster(), idle, accessLogs(tcp.getAccessLogList(), path + ".access_log"));
  }

  static List<AccessLogConfig> accessLogs(List<AccessLog> logs, String path) throws ConfigException {
    return AccessLogTranslator.accessLogs(logs, path);
  }

  static InetSocketAddress address(Address a, String path) throws ConfigException {
    if (!a.hasSocketAddress()) {
      throw new ConfigException(path + ".socket_address", "a socket address is required");
    }
    var sa = a.getSocketAddress();
    if (sa.getAddress().isEmpty()) {
      throw new ConfigException(path + ".socket_address.address", "an address is required");
    }
    if (sa.getPortValue() > 65535) {
      throw new ConfigException(path + ".socket_address.port_value", "port must be at most 65535");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(sa.getAddress()), sa.getPortValue());
    } catch (UnknownHostException e) {
      throw new ConfigException(path + ".socket_address.address", "cannot resolve \"" + sa.getAddress() + "\"");
    }
  }

  static String typeName(Message m) {
    return EnvoyTypes.typeUrl(m.getDescriptorForType());
  }
}
