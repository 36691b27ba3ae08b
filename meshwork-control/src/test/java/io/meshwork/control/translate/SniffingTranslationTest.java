package io.meshwork.control.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.meshwork.control.registry.Registry;
import io.meshwork.control.registry.ServicePortInfo;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.control.Fixtures;
import io.meshwork.proxy.config.ListenerConfig;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.xds.client.NodeInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Ports of unknown protocol are sniffed as Istio does (issue 3): the outbound listener and the
 * inbound chains get the http_inspector and an HTTP and a TCP filter chain; named ports keep their
 * HTTP or TCP listeners unchanged. The proxy accepts what is generated.
 */
class SniffingTranslationTest {
  static final String DB = """
      apiVersion: v1
      kind: Service
      metadata: {name: db}
      spec:
        clusterIP: 10.0.0.7
        selector: {app: db}
        ports:
        - {name: db, port: 7000}
        - {name: http, port: 9080}
        - {name: tcp-redis, port: 6379}
        - {name: web, port: 8000, appProtocol: http}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: cache}
      spec:
        clusterIP: 10.0.0.8
        selector: {app: cache}
        ports:
        - {port: 7100}
      """;
  static final NodeInfo CLIENT = NodeInfo.sidecar("client", "default", Map.of("app", "client"), "10.0.0.9", Map.of());

  static ProxyResources translate(NodeInfo node, String... docs) {
    return MeshTlsTranslationTest.translate(node, docs);
  }

  @Test
  void theRegistrySniffsOnlyPortsWithoutAProtocol() {
    var store = new ConfigStore();
    store.apply(ConfigStore.API, Fixtures.yaml(DB));
    var ports = Registry.of(store.snapshot()).service("db.default.svc.cluster.local").ports();
    assertThat(ports).extracting(ServicePortInfo::protocol).containsExactly("AUTO", "HTTP", "TCP", "HTTP");
    assertThat(Registry.of(store.snapshot()).service("cache.default.svc.cluster.local").ports())
        .extracting(ServicePortInfo::protocol).as("no name at all").containsExactly("AUTO");
    assertThat(ServicePortInfo.protocolOrAuto(null, "grpc-x")).isEqualTo("GRPC");
    assertThat(ServicePortInfo.protocolOrAuto(null, "mysql")).isEqualTo("MYSQL");
    assertThat(ServicePortInfo.protocolOrAuto(null, "postgres")).isEqualTo("AUTO");
    assertThat(ServicePortInfo.protocolOrAuto("TCP", "")).isEqualTo("TCP");
  }

  @Test
  void anUnnamedPortGetsAnOutboundSniffingListenerOnItsVip() throws Exception {
    var r = translate(CLIENT, DB);
    Listener l = r.listeners().get("10.0.0.7_7000");
    assertThat(l).isNotNull();
    assertThat(l.getListenerFiltersList()).extracting(f -> f.getName()).containsExactly("envoy.filters.listener.http_inspector");
    assertThat(l.getListenerFilters(0).getTypedConfig().getTypeUrl())
        .isEqualTo("type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector");
    assertThat(l.getListenerFiltersTimeout().getSeconds()).isEqualTo(5);
    assertThat(l.getContinueOnListenerFiltersTimeout()).isTrue();
    assertThat(l.getFilterChainsList()).hasSize(2);
    FilterChain http = l.getFilterChains(0);
    assertThat(http.getFilterChainMatch().getApplicationProtocolsList()).containsExactly("http/1.0", "http/1.1", "h2c");
    var hcm = http.getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo("db.default.svc.cluster.local:7000");
    assertThat(r.routes()).containsKey("db.default.svc.cluster.local:7000");
    FilterChain tcp = l.getFilterChains(1);
    assertThat(tcp.hasFilterChainMatch()).isFalse();
    assertThat(tcp.getFilters(0).getTypedConfig().unpack(TcpProxy.class).getCluster())
        .isEqualTo("outbound|7000||db.default.svc.cluster.local");
    assertThat(r.clusters()).containsKey("outbound|7000||db.default.svc.cluster.local");
    assertThat(r.listeners().get("10.0.0.8_7100").getFilterChainsList()).as("the unnamed port of cache").hasSize(2);

    // the proxy reads it as one listener with two chains and an http_inspector
    var clusters = r.clusters().keySet();
    var built = ProxyConfigBuilder.listener(l, "listeners[" + l.getName() + "]", clusters, r.routes());
    var chains = built.chains();
    assertThat(chains.filters().httpInspector()).isTrue();
    assertThat(chains.filters().continueOnTimeout()).isTrue();
    assertThat(select(chains, "raw_buffer", List.of("h2c")).protocol()).isInstanceOf(ListenerConfig.Http.class);
    assertThat(select(chains, "raw_buffer", List.of()).protocol()).isInstanceOf(ListenerConfig.Tcp.class);
  }

  @Test
  void namedPortsKeepTheirHttpAndTcpListeners() {
    var r = translate(CLIENT, DB);
    var http = r.listeners().get("0.0.0.0_9080");
    assertThat(http.getFilterChainsList()).singleElement().satisfies(c -> assertThat(c.hasFilterChainMatch()).isFalse());
    assertThat(http.getListenerFiltersCount()).isZero();
    assertThat(r.listeners().get("0.0.0.0_8000").getListenerFiltersCount()).as("appProtocol: http").isZero();
    var tcp = r.listeners().get("10.0.0.7_6379");
    assertThat(tcp.getFilterChainsList()).singleElement();
    assertThat(tcp.getListenerFiltersCount()).isZero();
    assertThat(r.listeners()).doesNotContainKeys("0.0.0.0_7000", "10.0.0.7_9080");
  }

  @Test
  void anUnnamedAppPortGetsSniffingInboundChainsPerPeerAuthenticationMode() throws Exception {
    var captured = NodeInfo.sidecar("db-v1", "default", Map.of("app", "db"), "198.18.0.3", Map.of("db", 7000, "http", 9080))
        .withServiceAccount("db").withMetadata(NodeInfo.INTERCEPTION_MODE, "REDIRECT");
    var permissive = translate(captured, DB);
    var inbound = permissive.listeners().get("virtualInbound");
    assertThat(describe(inbound)).containsExactly(
        "9080/tls/[]", "9080/raw_buffer/[]",
        "7000/tls/[istio-http/1.0, istio-http/1.1, istio-h2]", "7000/tls/[]",
        "7000/raw_buffer/[http/1.0, http/1.1, h2c]", "7000/raw_buffer/[]", "0//[]");
    assertThat(inbound.getListenerFiltersList()).extracting(f -> f.getName())
        .containsExactly("envoy.filters.listener.tls_inspector", "envoy.filters.listener.http_inspector");
    assertThat(inbound.getContinueOnListenerFiltersTimeout()).isTrue();
    var chains = inbound.getFilterChainsList();
    assertThat(chains.get(4).getFilters(0).getTypedConfig().is(HttpConnectionManager.class)).isTrue();
    assertThat(chains.get(5).getFilters(chains.get(5).getFiltersCount() - 1).getTypedConfig().unpack(TcpProxy.class).getCluster())
        .isEqualTo("inbound|7000||");
    assertThat(chains.get(2).hasTransportSocket()).isTrue();

    var strict = translate(captured, DB, MeshTlsTranslationTest.pa("istio-system", "default", null, "STRICT", null));
    assertThat(describe(strict.listeners().get("virtualInbound"))).containsExactly(
        "9080/tls/[]", "7000/tls/[istio-http/1.0, istio-http/1.1, istio-h2]", "7000/tls/[]", "0//[]");

    var plain = NodeInfo.sidecar("db-v1", "default", Map.of("app", "db"), "198.18.0.3", Map.of("db", 7000));
    assertThat(describe(translate(plain, DB).listeners().get("virtualInbound"))).containsExactly(
        "7000//[http/1.0, http/1.1, h2c]", "7000//[]", "0//[]");
  }

  /** The chain the proxy picks for a connection to port 7000 whose inspectors found {@code transport} and {@code protocols}. */
  static ListenerConfig select(io.meshwork.proxy.config.FilterChainSelector s, String transport, List<String> protocols) {
    return s.select(new io.meshwork.proxy.config.ConnectionFacts(new java.net.InetSocketAddress("198.18.0.3", 7000), null,
        transport, protocols));
  }

  static List<String> describe(Listener l) {
    return l.getFilterChainsList().stream().map(c -> c.getFilterChainMatch().getDestinationPort().getValue() + "/"
        + c.getFilterChainMatch().getTransportProtocol() + "/" + c.getFilterChainMatch().getApplicationProtocolsList()).toList();
  }

  @Test
  void aCapturedProxyServesTheSniffedInboundPortAsOneListenerWithBothInspectors() throws Exception {
    var captured = NodeInfo.sidecar("db-v1", "default", Map.of("app", "db"), "198.18.0.3", Map.of("db", 7000, "http", 9080))
        .withServiceAccount("db").withMetadata(NodeInfo.INTERCEPTION_MODE, "REDIRECT");
    var r = translate(captured, DB);
    var snapshot = new io.meshwork.xds.client.XdsSnapshot(r.listeners(), r.routes(), r.clusters(), r.endpoints(), Map.of());
    var built = io.meshwork.proxy.xds.XdsConfigBuilder.build(snapshot, 1, new io.meshwork.proxy.xds.XdsConfigBuilder.Options(
        "n", null, false, java.util.Set.of(), null, io.meshwork.proxy.capture.InterceptionMode.REDIRECT));
    var config = built.config();
    assertThat(config.capture().inboundFor(7000)).hasValue("virtualInbound|7000");
    var port = ListenerConfig.named(config.listeners(), "virtualInbound|7000");
    var chains = port.chains();
    assertThat(chains.filters().tlsInspector()).isTrue();
    assertThat(chains.filters().httpInspector()).isTrue();
    assertThat(chains.filters().continueOnTimeout()).isTrue();
    assertThat(chains.entries()).hasSize(4);
    assertThat(select(chains, "raw_buffer", List.of("http/1.1")).protocol()).isInstanceOf(ListenerConfig.Http.class);
    assertThat(select(chains, "raw_buffer", List.of()).protocol()).isInstanceOf(ListenerConfig.Tcp.class);
    var mtls = select(chains, "tls", List.of());
    assertThat(mtls.protocol()).as("mTLS without istio-http ALPN: the TCP chain").isInstanceOf(ListenerConfig.Tcp.class);
    assertThat(mtls.tls()).isNotNull();
    assertThat(ListenerConfig.named(config.listeners(), "virtualInbound|9080").protocol()).as("a named port keeps its PERMISSIVE pair")
        .isInstanceOf(ListenerConfig.Http.class);
  }

  /**
   * The server's proxy reads the client's ALPN from the ClientHello (filter chain selection): a
   * sniffed port's cluster must not offer {@code istio-http/*}, or a raw TCP connection over mTLS
   * would reach the inbound HTTP chain. Its ALPN takes the mTLS TCP chain, for HTTP and TCP alike.
   */
  @Test
  void aSniffedPortsMtlsClusterOffersAnAlpnThatTheServerServesOnItsTcpChain() throws Exception {
    var entry = """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: db-1}
        spec:
          address: 198.18.0.3
          labels: {app: db, security.istio.io/tlsMode: istio}
        """;
    var client = translate(CLIENT, DB, entry);
    var cluster = client.clusters().get("outbound|7000||db.default.svc.cluster.local");
    assertThat(cluster.getTransportSocketMatchesList()).extracting(m -> m.getName()).contains("tlsMode-istio");
    var alpn = cluster.getTransportSocketMatches(0).getTransportSocket().getTypedConfig()
        .unpack(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.class)
        .getCommonTlsContext().getAlpnProtocolsList();
    assertThat(alpn).as("no istio-http/*, no istio-peer-exchange").containsExactly("istio");
    assertThat(client.clusters().get("outbound|9080||db.default.svc.cluster.local").getTransportSocketMatches(0)
        .getTransportSocket().getTypedConfig().unpack(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext.class)
        .getCommonTlsContext().getAlpnProtocolsList()).as("a named HTTP port keeps HTTP's").startsWith("istio-http/1.1");

    var captured = NodeInfo.sidecar("db-v1", "default", Map.of("app", "db"), "198.18.0.3", Map.of("db", 7000))
        .withServiceAccount("db").withMetadata(NodeInfo.INTERCEPTION_MODE, "REDIRECT");
    var r = translate(captured, DB, MeshTlsTranslationTest.pa("istio-system", "default", null, "STRICT", null));
    var snapshot = new io.meshwork.xds.client.XdsSnapshot(r.listeners(), r.routes(), r.clusters(), r.endpoints(), Map.of());
    var config = io.meshwork.proxy.xds.XdsConfigBuilder.build(snapshot, 1, new io.meshwork.proxy.xds.XdsConfigBuilder.Options(
        "n", null, false, java.util.Set.of(), null, io.meshwork.proxy.capture.InterceptionMode.REDIRECT)).config();
    var chains = ListenerConfig.named(config.listeners(), "virtualInbound|7000").chains();
    assertThat(select(chains, "tls", alpn).protocol()).as("the client's ALPN").isInstanceOf(ListenerConfig.Tcp.class);
    assertThat(select(chains, "tls", List.of("istio-http/1.1", "istio", "http/1.1")).protocol())
        .as("HTTP's ALPN would pick the HTTP chain").isInstanceOf(ListenerConfig.Http.class);
  }

  /**
   * Istio's {@code istio.alpn}: the outbound HTTP chain of a sniffed port (VIP listener and local-mode
   * bind) carries the filter, which the proxy reads as per-protocol ALPN overrides; each override
   * takes the server's mTLS HTTP chain, while the cluster's own ALPN ({@code istio}, raw TCP) still
   * takes the TCP chain. Named HTTP ports need no override (their cluster offers HTTP's ALPN).
   */
  @Test
  void theSniffedHttpChainOverridesTheAlpnPerUpstreamProtocolAndTheServerServesItOnItsHttpChain() throws Exception {
    var bind = CLIENT.withUpstreamBinds(Map.of("db:7000", "127.0.0.1:17000"));
    var r = translate(bind, DB);
    for (var name : List.of("10.0.0.7_7000", "127.0.0.1_17000")) {
      var l = r.listeners().get(name);
      var hcm = l.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
      assertThat(hcm.getHttpFilters(0).getName()).as(name).isEqualTo("istio.alpn");
      assertThat(hcm.getHttpFilters(0).getTypedConfig().getTypeUrl())
          .isEqualTo("type.googleapis.com/istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig");
      assertThat(io.meshwork.xds.IstioAlpnFilter.overrides(hcm.getHttpFilters(0).getTypedConfig())).isEqualTo(Map.of(
          io.meshwork.xds.IstioAlpnFilter.Protocol.HTTP10, List.of("istio-http/1.0", "istio"),
          io.meshwork.xds.IstioAlpnFilter.Protocol.HTTP11, List.of("istio-http/1.1", "istio"),
          io.meshwork.xds.IstioAlpnFilter.Protocol.HTTP2, List.of("istio-h2", "istio")));
      var built = ProxyConfigBuilder.listener(l, "listeners[" + name + "]", r.clusters().keySet(), r.routes());
      var http = (ListenerConfig.Http) select(built.chains(), "raw_buffer", List.of("http/1.1")).protocol();
      var override = io.meshwork.proxy.config.AlpnOverrideConfig.find(http.hcm().filters(), false);
      assertThat(override).as("an HTTP/1.1 upstream").containsExactly("istio-http/1.1", "istio");
      assertThat(io.meshwork.proxy.config.AlpnOverrideConfig.find(http.hcm().filters(), true)).containsExactly("istio-h2", "istio");
    }
    // The sniffed port's cluster follows the downstream protocol (h2c/gRPC stays HTTP/2, offering istio-h2); named ports' do not.
    var auto = r.clusters().get("outbound|7000||db.default.svc.cluster.local");
    assertThat(auto.getTypedExtensionProtocolOptionsMap().get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions")
        .unpack(io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.class).hasUseDownstreamProtocolConfig()).isTrue();
    var asStatic = ProxyConfigBuilder.cluster(auto.toBuilder().setType(io.envoyproxy.envoy.config.cluster.v3.Cluster.DiscoveryType.STATIC)
        .clearEdsClusterConfig().build(), "clusters[0]");
    assertThat(asStatic.http2For(true)).as("an h2c request").isTrue();
    assertThat(asStatic.http2For(false)).as("an HTTP/1.1 request").isFalse();
    assertThat(r.clusters().get("outbound|9080||db.default.svc.cluster.local").getTypedExtensionProtocolOptionsMap()).isEmpty();
    var noVip = r.listeners().get("0.0.0.0_7000");
    assertThat(noVip).as("no sniffing listener without a VIP: the shared HTTP one").isNull();
    var shared = translate(CLIENT, DB.replace("  clusterIP: 10.0.0.7\n", "")).listeners().get("0.0.0.0_7000")
        .getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
    assertThat(shared.getHttpFilters(0).getName()).as("a sniffed port without a VIP (shared HTTP listener)").isEqualTo("istio.alpn");
    var named = r.listeners().get("0.0.0.0_9080").getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
    assertThat(named.getHttpFiltersList()).extracting(f -> f.getName()).doesNotContain("istio.alpn");

    var captured = NodeInfo.sidecar("db-v1", "default", Map.of("app", "db"), "198.18.0.3", Map.of("db", 7000))
        .withServiceAccount("db").withMetadata(NodeInfo.INTERCEPTION_MODE, "REDIRECT");
    var server = translate(captured, DB, MeshTlsTranslationTest.pa("istio-system", "default", null, "STRICT", null));
    var snapshot = new io.meshwork.xds.client.XdsSnapshot(server.listeners(), server.routes(), server.clusters(), server.endpoints(), Map.of());
    var config = io.meshwork.proxy.xds.XdsConfigBuilder.build(snapshot, 1, new io.meshwork.proxy.xds.XdsConfigBuilder.Options(
        "n", null, false, java.util.Set.of(), null, io.meshwork.proxy.capture.InterceptionMode.REDIRECT)).config();
    assertThat(server.clusters().get("inbound|7000||").getTypedExtensionProtocolOptionsMap())
        .as("the inbound cluster of the sniffed port follows the downstream protocol too")
        .containsKey("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    assertThat(config.cluster("inbound|7000||").http2For(true)).isTrue();
    var chains = ListenerConfig.named(config.listeners(), "virtualInbound|7000").chains();
    for (var alpn : List.of(List.of("istio-http/1.0", "istio"), List.of("istio-http/1.1", "istio"), List.of("istio-h2", "istio"))) {
      assertThat(select(chains, "tls", alpn).protocol()).as(alpn.toString()).isInstanceOf(ListenerConfig.Http.class);
    }
    assertThat(select(chains, "tls", List.of("istio")).protocol()).as("raw TCP").isInstanceOf(ListenerConfig.Tcp.class);
  }
}
