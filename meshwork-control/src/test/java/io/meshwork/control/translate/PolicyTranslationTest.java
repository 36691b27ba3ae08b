package io.meshwork.control.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.meshwork.control.Fixtures;
import io.meshwork.control.Mesh;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DestinationRule policies and VirtualService route fields, each checked on the generated protos. */
class PolicyTranslationTest {
  static final String H = "reviews.default.svc.cluster.local";
  static final NodeInfo NODE = NodeInfo.sidecar("productpage-v1", "default", Map.of("app", "productpage"), "10.0.0.9", Map.of());

  static ProxyResources translate(String yaml) {
    var store = new ConfigStore();
    var r = store.apply(ConfigStore.API, Fixtures.yaml(yaml));
    assertThat(r.errors()).isEmpty();
    return Translator.translate(MeshContext.of(store.snapshot(), true), NODE);
  }

  @Test
  void destinationRulePoliciesBecomeClusterSettings() throws Exception {
    var dr = """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: reviews
        spec:
          host: reviews
          trafficPolicy:
            loadBalancer:
              consistentHash: {httpHeaderName: x-user}
            connectionPool:
              tcp: {maxConnections: 1, connectTimeout: 2s}
              http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}
            outlierDetection: {consecutive5xxErrors: 7, interval: 5m, baseEjectionTime: 15m, maxEjectionPercent: 100}
            tls: {mode: ISTIO_MUTUAL}
          subsets:
          - name: v1
            labels: {version: v1}
            trafficPolicy:
              loadBalancer: {simple: LEAST_REQUEST}
              tls: {mode: SIMPLE, sni: reviews.example.com}
        """;
    var r = translate(String.join("---\n", Fixtures.REVIEWS_SVC, dr));
    var c = r.clusters().get("outbound|9080||" + H);
    assertThat(c.getLbPolicy()).isEqualTo(Cluster.LbPolicy.RING_HASH);
    assertThat(c.getCircuitBreakers().getThresholds(0).getMaxConnections().getValue()).isEqualTo(1);
    assertThat(c.getCircuitBreakers().getThresholds(0).getMaxPendingRequests().getValue()).isEqualTo(1);
    assertThat(c.getConnectTimeout().getSeconds()).isEqualTo(2);
    assertThat(c.getCommonHttpProtocolOptions().getMaxRequestsPerConnection().getValue()).isEqualTo(1);
    assertThat(c.getOutlierDetection().getConsecutive5Xx().getValue()).isEqualTo(7);
    assertThat(c.getOutlierDetection().getEnforcingConsecutive5Xx().getValue()).isEqualTo(100);
    assertThat(c.getOutlierDetection().getBaseEjectionTime().getSeconds()).isEqualTo(900);
    var istioMtls = c.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class);
    assertThat(istioMtls.getSni()).isEqualTo("outbound_." + H);
    assertThat(istioMtls.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getName()).isEqualTo("default");

    var v1 = r.clusters().get("outbound|9080|v1|" + H);
    assertThat(v1.getLbPolicy()).isEqualTo(Cluster.LbPolicy.LEAST_REQUEST);
    assertThat(v1.getCircuitBreakers().getThresholds(0).getMaxConnections().getValue()).as("DR-level pool carries into the subset").isEqualTo(1);
    assertThat(v1.getTransportSocket().getTypedConfig().unpack(UpstreamTlsContext.class).getSni()).isEqualTo("reviews.example.com");

    var route = r.routes().get("9080").getVirtualHostsList().stream().filter(v -> v.getName().startsWith("reviews")).findFirst().orElseThrow()
        .getRoutes(0).getRoute();
    assertThat(route.getHashPolicy(0).getHeader().getHeaderName()).isEqualTo("x-user");
  }

  @Test
  void virtualServiceRouteFields() throws Exception {
    var vs = Fixtures.vs("reviews", "reviews", """
        http:
        - match:
          - uri: {prefix: /old}
          redirect: {uri: /new, redirectCode: 302}
        - match:
          - uri: {prefix: /api}
            ignoreUriCase: true
          rewrite: {uri: /v2/api, authority: backend}
          timeout: 500ms
          retries: {attempts: 3, perTryTimeout: 100ms, retryOn: "5xx,503"}
          mirror: {host: reviews, subset: v2}
          mirrorPercentage: {value: 25}
          corsPolicy:
            allowOrigins: [{exact: "https://example.com"}]
            allowMethods: [GET, POST]
            maxAge: 24h
          headers:
            request:
              set: {x-a: "1"}
              remove: [x-b]
          route:
          - destination: {host: reviews, subset: v1}
        - fault:
            abort: {httpStatus: 500, percentage: {value: 50}}
          route:
          - destination: {host: reviews, subset: v1}
        """);
    var r = translate(String.join("---\n", Fixtures.REVIEWS_SVC, Mesh.REVIEWS_DR, vs));
    var routes = r.routes().get("9080").getVirtualHostsList().stream().filter(v -> v.getName().startsWith("reviews")).findFirst()
        .orElseThrow().getRoutesList();
    assertThat(routes.get(0).getRedirect().getPathRedirect()).isEqualTo("/new");
    assertThat(routes.get(0).getRedirect().getResponseCode()).isEqualTo(RedirectAction.RedirectResponseCode.FOUND);
    var api = routes.get(1);
    assertThat(api.getMatch().getPrefix()).isEqualTo("/api");
    assertThat(api.getMatch().getCaseSensitive().getValue()).isFalse();
    assertThat(api.getRoute().getPrefixRewrite()).isEqualTo("/v2/api");
    assertThat(api.getRoute().getHostRewriteLiteral()).isEqualTo("backend");
    assertThat(api.getRoute().getTimeout().getNanos()).isEqualTo(500_000_000);
    assertThat(api.getRoute().getRetryPolicy().getNumRetries().getValue()).isEqualTo(3);
    assertThat(api.getRoute().getRetryPolicy().getRetryOn()).isEqualTo("5xx,retriable-status-codes");
    assertThat(api.getRoute().getRetryPolicy().getRetriableStatusCodesList()).containsExactly(503);
    assertThat(api.getRoute().getRequestMirrorPolicies(0).getCluster()).isEqualTo("outbound|9080|v2|" + H);
    assertThat(api.getRoute().getRequestMirrorPolicies(0).getRuntimeFraction().getDefaultValue().getNumerator()).isEqualTo(250_000);
    var cors = api.getTypedPerFilterConfigOrThrow("envoy.filters.http.cors").unpack(CorsPolicy.class);
    assertThat(cors.getAllowOriginStringMatch(0).getExact()).isEqualTo("https://example.com");
    assertThat(cors.getAllowMethods()).isEqualTo("GET,POST");
    assertThat(cors.getMaxAge()).isEqualTo("86400");
    assertThat(api.getRequestHeadersToAdd(0).getHeader().getKey()).isEqualTo("x-a");
    assertThat(api.getRequestHeadersToRemoveList()).containsExactly("x-b");
    var fault = routes.get(2).getTypedPerFilterConfigOrThrow("envoy.filters.http.fault").unpack(HTTPFault.class);
    assertThat(fault.getAbort().getHttpStatus()).isEqualTo(500);
    assertThat(fault.getAbort().getPercentage().getNumerator()).isEqualTo(500_000);
  }

  @Test
  void delegateVirtualServicesAreInlinedWithMergedMatches() {
    var root = Fixtures.vs("root", "reviews", """
        http:
        - match:
          - uri: {prefix: /reviews}
          delegate: {name: reviews-delegate}
        """);
    var delegate = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: reviews-delegate
        spec:
          http:
          - match:
            - headers: {end-user: {exact: jason}}
            route:
            - destination: {host: reviews, subset: v2}
          - route:
            - destination: {host: reviews, subset: v1}
        """;
    var r = translate(String.join("---\n", Fixtures.REVIEWS_SVC, Mesh.REVIEWS_DR, root, delegate));
    var routes = r.routes().get("9080").getVirtualHostsList().stream().filter(v -> v.getName().startsWith("reviews")).findFirst()
        .orElseThrow().getRoutesList();
    assertThat(routes).hasSize(2);
    assertThat(routes.get(0).getMatch().getPrefix()).isEqualTo("/reviews");
    assertThat(routes.get(0).getMatch().getHeaders(0).getName()).isEqualTo("end-user");
    assertThat(routes.get(0).getRoute().getCluster()).isEqualTo("outbound|9080|v2|" + H);
    assertThat(routes.get(1).getMatch().getPrefix()).isEqualTo("/reviews");
    assertThat(routes.get(1).getRoute().getCluster()).isEqualTo("outbound|9080|v1|" + H);
  }

  @Test
  void podsWithIpsAreEndpointsThroughNamedTargetPorts() {
    var yaml = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          selector: {app: web}
          ports:
          - name: http
            port: 80
            targetPort: web-port
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-1
          labels: {app: web}
        spec:
          containers:
          - name: web
            ports:
            - {name: web-port, containerPort: 8081}
        status:
          podIP: 10.4.0.7
        """;
    var cla = translate(yaml).endpoints().get("outbound|80||web.default.svc.cluster.local");
    var addr = cla.getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress();
    assertThat(addr.getAddress()).isEqualTo("10.4.0.7");
    assertThat(addr.getPortValue()).isEqualTo(8081);
  }

  @Test
  void externalHttpsServicesShareAListenerRoutedBySni() throws Exception {
    var yaml = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: external
        spec:
          hosts: [api.example.com, www.example.org]
          location: MESH_EXTERNAL
          resolution: DNS
          ports:
          - {number: 443, name: https, protocol: HTTPS}
        """;
    var r = translate(yaml);
    var l = r.listeners().get("0.0.0.0_443");
    assertThat(l.getListenerFilters(0).getName()).isEqualTo("envoy.filters.listener.tls_inspector");
    assertThat(l.getFilterChainsList()).extracting(fc -> fc.getFilterChainMatch().getServerNames(0))
        .containsExactly("api.example.com", "www.example.org");
    assertThat(r.clusters().get("outbound|443||api.example.com").getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
  }

  @Test
  void gatewayTerminatesTlsWithItsCredentialAndPassesThroughBySni() throws Exception {
    var yaml = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata:
          name: gw
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: [reviews.example.com]
            tls: {mode: SIMPLE, credentialName: reviews-cert}
          - port: {number: 8443, name: tls, protocol: TLS}
            hosts: [db.example.com]
            tls: {mode: PASSTHROUGH}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: edge
        spec:
          hosts: [reviews.example.com, db.example.com]
          gateways: [gw]
          http:
          - route:
            - destination: {host: reviews}
          tls:
          - match:
            - sniHosts: [db.example.com]
            route:
            - destination: {host: reviews, port: {number: 9080}}
        """;
    var store = new ConfigStore();
    assertThat(store.apply(ConfigStore.API, Fixtures.yaml(String.join("---\n", Fixtures.REVIEWS_SVC, yaml))).errors()).isEmpty();
    var gw = NodeInfo.sidecar("ingress", "istio-system", Map.of("istio", "ingressgateway"), "10.0.0.10", Map.of()).asGateway();
    var r = Translator.translate(MeshContext.of(store.snapshot(), true), gw);
    var https = r.listeners().get("0.0.0.0_443").getFilterChains(0);
    assertThat(https.getFilterChainMatch().getServerNamesList()).containsExactly("reviews.example.com");
    var tls = https.getTransportSocket().getTypedConfig()
        .unpack(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.class);
    assertThat(tls.getCommonTlsContext().getTlsCertificateSdsSecretConfigs(0).getName()).isEqualTo("kubernetes://reviews-cert");
    assertThat(r.routes().get("https.443.https.gw.default").getVirtualHosts(0).getRoutes(0).getRoute().getCluster())
        .isEqualTo("outbound|9080||" + H);
    var pass = r.listeners().get("0.0.0.0_8443").getFilterChains(0);
    assertThat(pass.getFilterChainMatch().getServerNamesList()).containsExactly("db.example.com");
    assertThat(pass.getFilters(0).getName()).isEqualTo("envoy.filters.network.tcp_proxy");
  }

  @Test
  void serviceEntrySelectsWorkloadEntriesAndMapsPortsByName() {
    var yaml = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata:
          name: legacy
        spec:
          hosts: [legacy.corp.internal]
          location: MESH_INTERNAL
          resolution: STATIC
          ports:
          - {number: 80, name: http, protocol: HTTP, targetPort: 8080}
          workloadSelector:
            labels: {app: legacy}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata:
          name: vm-1
        spec:
          address: 192.168.1.10
          labels: {app: legacy}
          ports: {http: 9090}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata:
          name: vm-2
        spec:
          address: 192.168.1.11
          labels: {app: legacy}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata:
          name: other
        spec:
          address: 192.168.1.99
          labels: {app: other}
        """;
    var cla = translate(yaml).endpoints().get("outbound|80||legacy.corp.internal");
    assertThat(cla.getEndpoints(0).getLbEndpointsList()).extracting(e -> e.getEndpoint().getAddress().getSocketAddress())
        .extracting(a -> a.getAddress() + ":" + a.getPortValue()).containsExactly("192.168.1.10:9090", "192.168.1.11:8080");
  }

  @Test
  void tcpRoutesAndSidecarEgressScoping() {
    var svc = """
        apiVersion: v1
        kind: Service
        metadata:
          name: db
        spec:
          clusterIP: 10.96.0.5
          selector: {app: db}
          ports:
          - name: tcp-db
            port: 5432
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: hidden
          namespace: other
        spec:
          selector: {app: hidden}
          ports:
          - name: http
            port: 8080
        ---
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata:
          name: default
        spec:
          egress:
          - hosts: ["./*"]
        """;
    var r = translate(svc);
    assertThat(r.listeners()).containsKey("10.96.0.5_5432");
    assertThat(r.clusters()).containsKey("outbound|5432||db.default.svc.cluster.local");
    assertThat(r.clusters().keySet()).noneMatch(k -> k.contains("hidden.other"));
  }
}
