package io.meshwork.proxy.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.meshwork.proxy.config.ConfigException;
import io.meshwork.proxy.config.CorsConfig;
import io.meshwork.proxy.config.ListenerConfig;
import io.meshwork.xds.client.XdsSnapshot;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Snapshots shaped as the control plane sends them (RDS, EDS, fault/cors/router, capture listeners). */
class XdsConfigBuilderTest {
  static final String CLUSTER = "outbound|9080|v1|reviews.default.svc.cluster.local";

  static Address addr(String ip, int port) {
    return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port)).build();
  }

  static Listener rdsListener(String name, String ip, int port, String route) {
    var hcm = HttpConnectionManager.newBuilder().setStatPrefix(name)
        .setRds(Rds.newBuilder().setRouteConfigName(route))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.fault").setTypedConfig(Any.pack(HTTPFault.getDefaultInstance())))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.cors").setTypedConfig(Any.pack(Cors.getDefaultInstance())))
        .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router").setTypedConfig(Any.pack(Router.getDefaultInstance())));
    return Listener.newBuilder().setName(name).setAddress(addr(ip, port))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder().setName("hcm").setTypedConfig(Any.pack(hcm.build()))))
        .build();
  }

  static RouteConfiguration routes() {
    var fault = HTTPFault.newBuilder().setAbort(FaultAbort.newBuilder().setHttpStatus(500)
        .setPercentage(FractionalPercent.newBuilder().setNumerator(100))).build();
    var cors = CorsPolicy.newBuilder().addAllowOriginStringMatch(StringMatcher.newBuilder().setExact("https://a.example"))
        .setAllowMethods("GET,POST").build();
    return RouteConfiguration.newBuilder().setName("reviews:9080").addVirtualHosts(VirtualHost.newBuilder().setName("reviews")
        .addDomains("*").addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix("/"))
            .setRoute(RouteAction.newBuilder().setCluster(CLUSTER))
            .putTypedPerFilterConfig("envoy.filters.http.fault", Any.pack(fault))
            .putTypedPerFilterConfig("envoy.filters.http.cors", Any.pack(cors)))).build();
  }

  static Cluster eds() {
    return Cluster.newBuilder().setName(CLUSTER).setType(Cluster.DiscoveryType.EDS).build();
  }

  static ClusterLoadAssignment cla() {
    return ClusterLoadAssignment.newBuilder().setClusterName(CLUSTER).addEndpoints(LocalityLbEndpoints.newBuilder()
        .addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(addr("127.0.0.1", 7001))))
        .addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(addr("127.0.0.1", 7002))))).build();
  }

  static final XdsConfigBuilder.Options LOCAL = new XdsConfigBuilder.Options("n", null, true,
      Set.of(new InetSocketAddress("127.0.0.1", 16001)));

  static XdsSnapshot snapshot(Map<String, Cluster> clusters) {
    var outbound = rdsListener("0.0.0.0_9080", "0.0.0.0", 9080, "reviews:9080");
    var bind = rdsListener("127.0.0.1_16001", "127.0.0.1", 16001, "reviews:9080");
    var virtualOutbound = Listener.newBuilder().setName("virtualOutbound").setAddress(addr("0.0.0.0", 15001))
        .setUseOriginalDst(BoolValue.of(true)).build();
    var passthrough = Cluster.newBuilder().setName("PassthroughCluster").setType(Cluster.DiscoveryType.ORIGINAL_DST)
        .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED).build();
    var all = new java.util.HashMap<>(clusters);
    all.put("PassthroughCluster", passthrough);
    return new XdsSnapshot(Map.of(outbound.getName(), outbound, bind.getName(), bind, "virtualOutbound", virtualOutbound),
        Map.of("reviews:9080", routes()), all, Map.of(CLUSTER, cla()), Map.of());
  }

  @Test
  void aGatewayInLocalModeBindsItsWildcardListenersOnItsOwnAddress() throws Exception {
    var gateway = new XdsConfigBuilder.Options("router~127.0.1.1", null, true, Set.of(), "127.0.1.1");
    var built = XdsConfigBuilder.build(snapshot(Map.of(CLUSTER, eds())), 1, gateway);
    var listeners = built.config().listeners();
    assertThat(listeners).extracting(ListenerConfig::name).containsExactly("0.0.0.0_9080");
    assertThat(listeners.getFirst().address()).isEqualTo(new InetSocketAddress("127.0.1.1", 9080));
    // capture listeners stay unbound; a specific address that is not the gateway's is not served either
    assertThat(built.unbound()).containsOnlyKeys("127.0.0.1_16001", "virtualOutbound");
    // a sidecar (no gateway address) still leaves the wildcard listener unbound
    assertThat(XdsConfigBuilder.build(snapshot(Map.of(CLUSTER, eds())), 1, LOCAL).unbound()).containsKey("0.0.0.0_9080");
  }

  @Test
  void rdsEdsAndPerRouteFiltersBecomeTheProxyConfig() throws Exception {
    var built = XdsConfigBuilder.build(snapshot(Map.of(CLUSTER, eds())), 7, LOCAL);
    var config = built.config();
    assertThat(config.version()).isEqualTo(7);
    assertThat(config.listeners()).extracting(ListenerConfig::name).containsExactly("127.0.0.1_16001");
    assertThat(built.unbound()).containsOnlyKeys("0.0.0.0_9080", "virtualOutbound");
    assertThat(built.unbound().get("virtualOutbound")).contains("use_original_dst");
    assertThat(config.cluster(CLUSTER).endpoints()).extracting(e -> e.address().getPort()).containsExactly(7001, 7002);
    assertThat(config.cluster("PassthroughCluster").endpoints()).isEmpty();
    assertThat(built.emptyClusters()).containsOnlyKeys("PassthroughCluster");

    var hcm = ((ListenerConfig.Http) config.listeners().getFirst().protocol()).hcm();
    assertThat(hcm.filters()).hasSize(2).element(1).isEqualTo(CorsConfig.NONE);
    var route = hcm.routes().virtualHosts().getFirst().routes().getFirst();
    assertThat(route.fault().abortStatus()).isEqualTo(500);
    assertThat(route.cors().allows("https://a.example")).isTrue();
    assertThat(route.cors().allows("https://b.example")).isFalse();
    assertThat(route.cors().allowMethods()).isEqualTo("GET,POST");
  }

  @Test
  void anRdsRouteToAClusterThatIsNotThereLoadsUnlessValidateClustersIsSet() throws Exception {
    // Envoy's validate_clusters defaults to false for RDS: the route loads and answers 503 NC when chosen
    // (a DestinationRule subset removed while a VirtualService still names it must not NACK the push).
    var s = snapshot(Map.of(CLUSTER, eds()));
    var missing = routes().toBuilder().setVirtualHosts(0, routes().getVirtualHosts(0).toBuilder().setRoutes(0,
        routes().getVirtualHosts(0).getRoutes(0).toBuilder().setRoute(RouteAction.newBuilder().setCluster("outbound|9080|v9|reviews")))).build();
    var loads = new XdsSnapshot(s.listeners(), Map.of("reviews:9080", missing), s.clusters(), s.endpoints(), Map.of());
    var hcm = ((ListenerConfig.Http) XdsConfigBuilder.build(loads, 1, LOCAL).config().listeners().getFirst().protocol()).hcm();
    assertThat(hcm.routes().virtualHosts().getFirst().routes()).hasSize(1);

    var validated = new XdsSnapshot(s.listeners(), Map.of("reviews:9080", missing.toBuilder().setValidateClusters(BoolValue.of(true)).build()),
        s.clusters(), s.endpoints(), Map.of());
    assertThatThrownBy(() -> XdsConfigBuilder.build(validated, 1, LOCAL)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown cluster \"outbound|9080|v9|reviews\"");
  }

  @Test
  void aMissingRouteConfigurationIsRejectedWithItsPath() {
    var s = snapshot(Map.of(CLUSTER, eds()));
    var noRoutes = new XdsSnapshot(s.listeners(), Map.of(), s.clusters(), s.endpoints(), Map.of());
    assertThatThrownBy(() -> XdsConfigBuilder.build(noRoutes, 1, LOCAL)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("listeners[127.0.0.1_16001].filter_chains[0].filters[0].typed_config.rds.route_config_name");
  }

  @Test
  void upstreamTlsWithTheAgentsSdsSecretsIsAcceptedAndOtherSecretsAreRejectedWithTheirPath() throws Exception {
    // Changed with mTLS: the agent now serves "default" and "ROOTCA"; any other secret name is still refused.
    var tls = UpstreamTlsContext.newBuilder().setSni("outbound_.9080_._.reviews").setCommonTlsContext(CommonTlsContext.newBuilder()
        .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName("default"))).build();
    var mtls = eds().toBuilder().setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
        .setTypedConfig(Any.pack(tls))).build();
    var cluster = XdsConfigBuilder.build(snapshot(Map.of(CLUSTER, mtls)), 1, LOCAL).config().clusters().get(CLUSTER);
    assertThat(cluster.tls().sdsCertificate()).isTrue();
    assertThat(cluster.tls().sni()).isEqualTo("outbound_.9080_._.reviews");
    var other = UpstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
        .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName("kubernetes://reviews-cert"))).build();
    var bad = eds().toBuilder().setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls")
        .setTypedConfig(Any.pack(other))).build();
    assertThatThrownBy(() -> XdsConfigBuilder.build(snapshot(Map.of(CLUSTER, bad)), 1, LOCAL)).isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("clusters[" + CLUSTER + "].transport_socket.typed_config.common_tls_context.tls_certificate_sds_secret_configs[0].name");
  }

  @Test
  void outsideLocalModeEveryPortListenerIsBoundButCaptureListenersAreNot() throws Exception {
    var built = XdsConfigBuilder.build(snapshot(Map.of(CLUSTER, eds())), 1, new XdsConfigBuilder.Options("n", null, false, Set.of()));
    assertThat(built.config().listeners()).extracting(ListenerConfig::name).containsExactlyInAnyOrder("0.0.0.0_9080", "127.0.0.1_16001");
    assertThat(built.unbound()).containsOnlyKeys("virtualOutbound");
  }
}
