package io.meshwork.control.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.meshwork.control.Fixtures;
import io.meshwork.control.Mesh;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Istio bookinfo task configs, translated for the productpage sidecar and the ingress gateway.
 * Goldens pin the whole output; the named checks say what matters. Regenerate goldens with
 * {@code -Dmeshwork.updateGoldens=true} and review the diff.
 */
class BookinfoTranslationTest {
  static final String REVIEWS = "reviews.default.svc.cluster.local";
  static MeshContext ctx;
  static final NodeInfo PRODUCTPAGE = NodeInfo.sidecar("productpage-v1", "default", Map.of("app", "productpage", "version", "v1"),
      "10.0.0.9", Map.of("http", 9080)).withUpstreamBinds(Map.of("reviews:9080", "127.0.0.1:16001"));
  static final NodeInfo GATEWAY = NodeInfo.sidecar("istio-ingressgateway", "istio-system", Map.of("istio", "ingressgateway"), "10.0.0.10",
      Map.of()).asGateway();

  @BeforeAll
  static void load() throws Exception {
    var store = new ConfigStore();
    for (var f : new String[] {"platform/bookinfo.yaml", "networking/destination-rule-all.yaml", "networking/virtual-service-all-v1.yaml",
        "networking/virtual-service-reviews-test-v2.yaml", "networking/virtual-service-ratings-test-delay.yaml",
        "networking/bookinfo-gateway.yaml"}) {
      var r = store.apply(ConfigStore.API, Fixtures.bookinfo(f));
      assertThat(r.errors()).as(f).isEmpty();
    }
    store.apply(ConfigStore.API, Fixtures.yaml(String.join("---\n", Mesh.workload("reviews-v1", "v1", "10.0.0.1"),
        Mesh.workload("reviews-v2", "v2", "10.0.0.2"), Mesh.workload("reviews-v3", "v3", "10.0.0.3"))));
    ctx = MeshContext.of(store.snapshot(), true);
  }

  static VirtualHost vhost(RouteConfiguration rc, String name) {
    return rc.getVirtualHostsList().stream().filter(v -> v.getName().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void sidecarResourcesHaveIstiosNames() {
    var r = Translator.translate(ctx, PRODUCTPAGE);
    assertThat(r.clusters()).containsKeys("outbound|9080||" + REVIEWS, "outbound|9080|v1|" + REVIEWS, "outbound|9080|v2|" + REVIEWS,
        "outbound|9080|v3|" + REVIEWS, "outbound|9080||details.default.svc.cluster.local", "inbound|9080||", "PassthroughCluster",
        "BlackHoleCluster");
    assertThat(r.listeners()).containsKeys("0.0.0.0_9080", "virtualOutbound", "virtualInbound", "127.0.0.1_16001");
    assertThat(r.routes()).containsKeys("9080", REVIEWS + ":9080");
    assertThat(r.endpoints().get("outbound|9080|v2|" + REVIEWS).getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress()
        .getSocketAddress().getAddress()).isEqualTo("10.0.0.2");
    assertThat(r.endpoints().get("outbound|9080||" + REVIEWS).getEndpoints(0).getLbEndpointsCount()).isEqualTo(3);
  }

  @Test
  void jasonGoesToV2EveryoneElseToV1WithIstioDefaultRetries() {
    var rc = Translator.translate(ctx, PRODUCTPAGE).routes().get("9080");
    var reviews = vhost(rc, REVIEWS + ":9080");
    assertThat(reviews.getDomainsList()).contains("reviews", "reviews:9080", REVIEWS);
    var jason = reviews.getRoutes(0);
    assertThat(jason.getMatch().getHeaders(0).getName()).isEqualTo("end-user");
    assertThat(jason.getMatch().getHeaders(0).getStringMatch().getExact()).isEqualTo("jason");
    assertThat(jason.getRoute().getCluster()).isEqualTo("outbound|9080|v2|" + REVIEWS);
    assertThat(reviews.getRoutes(1).getRoute().getCluster()).isEqualTo("outbound|9080|v1|" + REVIEWS);
    assertThat(jason.getRoute().getRetryPolicy().getNumRetries().getValue()).isEqualTo(2);
    assertThat(jason.getRoute().getRetryPolicy().getRetryOn()).isEqualTo("connect-failure,refused-stream,unavailable,cancelled");
    assertThat(jason.getRoute().getTimeout().getSeconds()).isZero();
    assertThat(vhost(rc, "allow_any").getRoutes(0).getRoute().getCluster()).isEqualTo("PassthroughCluster");
  }

  @Test
  void ratingsDelayIsAFaultFilterConfigForJasonOnly() throws Exception {
    var ratings = vhost(Translator.translate(ctx, PRODUCTPAGE).routes().get("9080"), "ratings.default.svc.cluster.local:9080");
    var fault = ratings.getRoutes(0).getTypedPerFilterConfigOrThrow("envoy.filters.http.fault").unpack(HTTPFault.class);
    assertThat(fault.getDelay().getFixedDelay().getSeconds()).isEqualTo(7);
    assertThat(fault.getDelay().getPercentage().getNumerator()).isEqualTo(1_000_000);
    assertThat(ratings.getRoutes(1).getTypedPerFilterConfigMap()).isEmpty();
  }

  @Test
  void localModeBindServesOnlyItsService() throws Exception {
    var r = Translator.translate(ctx, PRODUCTPAGE);
    var hcm = r.listeners().get("127.0.0.1_16001").getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo(REVIEWS + ":9080");
    var vh = r.routes().get(REVIEWS + ":9080").getVirtualHosts(0);
    assertThat(vh.getDomainsList()).containsExactly("*");
    assertThat(vh.getRoutes(0).getRoute().getCluster()).isEqualTo("outbound|9080|v2|" + REVIEWS);
  }

  @Test
  void gatewayRoutesBookinfoPathsToProductpage() throws Exception {
    var r = Translator.translate(ctx, GATEWAY);
    assertThat(r.listeners()).containsOnlyKeys("0.0.0.0_8080");
    var vh = r.routes().get("http.8080").getVirtualHosts(0);
    assertThat(vh.getDomainsList()).containsExactly("*");
    assertThat(vh.getRoutes(0).getMatch().getPath()).isEqualTo("/productpage");
    assertThat(vh.getRoutes(0).getRoute().getCluster()).isEqualTo("outbound|9080||productpage.default.svc.cluster.local");
    assertThat(vh.getRoutesCount()).isEqualTo(5);
  }

  @Test
  void proxylessGrpcGetsApiListenersUnderTheNamesClientsWrite() throws Exception {
    var grpc = new NodeInfo("grpc-client", "sidecar", "default", "", Map.of(), "default", java.util.List.of(), Map.of(), Map.of(), "grpc");
    var r = Translator.translate(ctx, grpc);
    assertThat(r.listeners()).containsKeys(REVIEWS + ":9080", "reviews:9080", "reviews.default:9080", "reviews.default.svc:9080");
    assertThat(r.listeners().keySet()).noneMatch(n -> n.startsWith("0.0.0.0_") || n.startsWith("virtual"));
    var hcm = r.listeners().get("reviews:9080").getApiListener().getApiListener().unpack(HttpConnectionManager.class);
    assertThat(hcm.getRds().getRouteConfigName()).isEqualTo(REVIEWS + ":9080");
    assertThat(hcm.getHttpFiltersList()).extracting(f -> f.getName()).containsExactly("envoy.filters.http.router");
  }

  @Test
  void registryOnlyBlocksUnknownHosts() {
    var blocked = MeshContext.of(ctx.snapshot(), false);
    var rc = Translator.translate(blocked, PRODUCTPAGE).routes().get("9080");
    assertThat(vhost(rc, "block_all").getRoutes(0).getDirectResponse().getStatus()).isEqualTo(502);
  }

  @Test
  void everyBookinfoNetworkingFileTranslates() throws Exception {
    try (var files = Files.list(Fixtures.istio("bookinfo").resolve("networking"))) {
      for (var f : files.sorted().toList()) {
        var store = new ConfigStore();
        store.apply(ConfigStore.API, Fixtures.bookinfo("platform/bookinfo.yaml", "networking/destination-rule-all.yaml"));
        var r = store.apply(ConfigStore.API, Fixtures.bookinfo("networking/" + f.getFileName()));
        assertThat(r.errors()).as(f.toString()).isEmpty();
        var c = MeshContext.of(store.snapshot(), true);
        assertThat(Translator.translate(c, PRODUCTPAGE).routes()).as(f.toString()).containsKey("9080");
        assertThat(Translator.translate(c, GATEWAY).clusters()).as(f.toString()).containsKey("outbound|9080||productpage.default.svc.cluster.local");
      }
    }
  }

  @Test
  void goldens() throws Exception {
    golden("bookinfo-productpage.json", Translator.translate(ctx, PRODUCTPAGE));
    golden("bookinfo-ingressgateway.json", Translator.translate(ctx, GATEWAY));
  }

  static void golden(String name, ProxyResources r) throws Exception {
    var printer = JsonTypes.printer();
    var sb = new StringBuilder();
    for (var type : java.util.List.of(ProxyResources.LISTENER, ProxyResources.ROUTE, ProxyResources.CLUSTER, ProxyResources.ENDPOINT)) {
      for (var m : r.ofType(type).values()) {
        sb.append(printer.print(m)).append('\n');
      }
    }
    var path = Path.of("src/test/resources/golden").resolve(name);
    if (Boolean.getBoolean("meshwork.updateGoldens")) {
      Files.writeString(path, sb.toString());
    }
    assertThat(Files.exists(path)).as(path + " exists (create it with -Dmeshwork.updateGoldens=true)").isTrue();
    assertThat(sb.toString()).isEqualTo(Files.readString(path));
  }
}
