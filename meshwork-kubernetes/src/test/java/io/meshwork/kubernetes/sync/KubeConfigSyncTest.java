package io.meshwork.kubernetes.sync;

import static io.meshwork.kubernetes.KubeTestSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.meshwork.config.ResourceKey;
import io.meshwork.control.registry.Registry;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.control.translate.MeshContext;
import io.meshwork.control.translate.Translator;
import io.meshwork.kubernetes.KubeTestSupport;
import io.meshwork.kubernetes.install.Crds;
import io.meshwork.xds.client.NodeInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bookinfo applied to fabric8's mock API server in CRUD mode (the platform YAML, one ready pod per
 * Deployment, the networking YAML): the informers fill the store, the registry and the routes for
 * the productpage sidecar reflect the cluster, and changes in the cluster follow.
 */
class KubeConfigSyncTest {
  static final String REVIEWS = "reviews.default.svc.cluster.local";
  static final NodeInfo PRODUCTPAGE = NodeInfo.sidecar("productpage-v1-abc", "default", Map.of("app", "productpage", "version", "v1"),
      "10.1.0.6", Map.of("http", 9080));

  KubernetesMockServer server;
  KubernetesClient client;
  ConfigStore store;
  KubeConfigSync sync;
  final List<Deployment> deployments = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = KubeTestSupport.crudServer();
    client = server.createClient();
    for (var crd : Crds.render()) {
      client.resource(crd).create();
    }
    for (var o : KubeTestSupport.applyFile(client, KubeTestSupport.bookinfo("platform/bookinfo.yaml"), "default")) {
      if (o instanceof Deployment d) {
        deployments.add(d);
      }
    }
    int ip = 1;
    for (var d : deployments) {
      KubeTestSupport.runPod(client, d, d.getMetadata().getName() + "-abc", "10.1.0." + ip++);
    }
    KubeTestSupport.applyFile(client, KubeTestSupport.bookinfo("networking/destination-rule-all.yaml"), "default");
    KubeTestSupport.applyFile(client, KubeTestSupport.bookinfo("networking/virtual-service-reviews-jason-v2-v3.yaml"), "default");
    store = new ConfigStore();
    sync = new KubeConfigSync(client, store).start(Duration.ofSeconds(10));
  }

  @AfterEach
  void stop() {
    sync.close();
    client.close();
    server.destroy();
  }

  Registry registry() {
    return Registry.of(store.snapshot());
  }

  @Test
  void registryHoldsBookinfoServicesAndReadyPods() {
    var reg = registry();
    assertThat(reg.services()).extracting(s -> s.hostname()).contains("productpage.default.svc.cluster.local", REVIEWS,
        "ratings.default.svc.cluster.local", "details.default.svc.cluster.local");
    var reviews = reg.service(REVIEWS);
    assertThat(reviews.ports()).singleElement().satisfies(p -> {
      assertThat(p.number()).isEqualTo(9080);
      assertThat(p.protocol()).isEqualTo("HTTP");
    });
    var eps = reg.endpoints(reviews, reviews.ports().getFirst(), Map.of());
    assertThat(eps).hasSize(3).allMatch(e -> e.healthy());
    assertThat(reg.endpoints(reviews, reviews.ports().getFirst(), Map.of("version", "v2"))).singleElement()
        .satisfies(e -> assertThat(e.labels()).containsEntry("app", "reviews").containsEntry("version", "v2"));
    assertThat(store.snapshot().get(new ResourceKey("", "ServiceAccount", "default", "bookinfo-reviews"))).isNotNull();
  }

  @Test
  void routesForTheProductpageSidecarFollowTheVirtualService() {
    var r = Translator.translate(MeshContext.of(store.snapshot(), true), PRODUCTPAGE);
    assertThat(r.clusters()).containsKeys("outbound|9080|v1|" + REVIEWS, "outbound|9080|v2|" + REVIEWS, "outbound|9080|v3|" + REVIEWS,
        "inbound|9080||");
    var vh = r.routes().get("9080").getVirtualHostsList().stream().filter(v -> v.getName().equals(REVIEWS + ":9080")).findFirst().orElseThrow();
    assertThat(vh.getRoutes(0).getMatch().getHeaders(0).getName()).isEqualTo("end-user");
    assertThat(vh.getRoutes(0).getRoute().getCluster()).isEqualTo("outbound|9080|v2|" + REVIEWS);
    assertThat(vh.getRoutes(1).getRoute().getCluster()).isEqualTo("outbound|9080|v3|" + REVIEWS);
    var v2 = r.endpoints().get("outbound|9080|v2|" + REVIEWS).getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress().getSocketAddress();
    var reviewsV2Ip = client.pods().inNamespace("default").withName("reviews-v2-abc").get().getStatus().getPodIP();
    assertThat(v2.getAddress()).isEqualTo(reviewsV2Ip);
    assertThat(v2.getPortValue()).isEqualTo(9080);
  }

  @Test
  void deletingAPodRemovesItsEndpoint() {
    var reviews = registry().service(REVIEWS);
    assertThat(registry().endpoints(reviews, reviews.ports().getFirst(), Map.of("version", "v3"))).hasSize(1);
    client.pods().inNamespace("default").withName("reviews-v3-abc").delete();
    await("the reviews v3 endpoint is gone",
        () -> registry().endpoints(registry().service(REVIEWS), reviews.ports().getFirst(), Map.of("version", "v3")).isEmpty());
    assertThat(registry().endpoints(registry().service(REVIEWS), reviews.ports().getFirst(), Map.of())).hasSize(2);
  }

  @Test
  void aPodThatIsNotReadyIsAnUnhealthyEndpoint() {
    var pod = client.pods().inNamespace("default").withName("ratings-v1-abc").get();
    pod.getStatus().getConditions().getFirst().setStatus("False");
    client.pods().inNamespace("default").resource(pod).updateStatus();
    await("ratings is unhealthy", () -> {
      var s = registry().service("ratings.default.svc.cluster.local");
      return registry().endpoints(s, s.ports().getFirst(), Map.of()).stream().noneMatch(e -> e.healthy());
    });
  }

  @Test
  void anInvalidVirtualServiceIsReportedAndSkippedWithoutBreakingTheRest() {
    KubeTestSupport.apply(client, """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: broken}
        spec:
          hosts: [ratings]
          http:
          - route:
            - destination: {subset: v1}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: details-fine}
        spec:
          hosts: [details]
          http:
          - route:
            - destination: {host: details, subset: v1}
        """, "default");
    var broken = new ResourceKey("networking.istio.io", "VirtualService", "default", "broken");
    await("the broken VirtualService is rejected", () -> sync.rejected().containsKey(broken));
    await("the good one is stored", () -> store.snapshot().get(new ResourceKey("networking.istio.io", "VirtualService", "default", "details-fine")) != null);
    assertThat(sync.rejected().get(broken)).anyMatch(e -> e.contains("destination.host"));
    assertThat(store.snapshot().get(broken)).isNull();
    await("a Warning event names it", () -> client.v1().events().inNamespace("default").list().getItems().stream()
        .anyMatch(e -> e.getReason().equals(InvalidConfigReporter.REASON) && e.getInvolvedObject().getName().equals("broken")
            && e.getMessage().contains("destination.host")));
    // The rest still translates.
    assertThat(Translator.translate(MeshContext.of(store.snapshot(), true), PRODUCTPAGE).routes().get("9080")).isNotNull();
  }

  @Test
  void aServiceWithoutSelectorTakesItsEndpointsFromEndpointSlices() {
    KubeTestSupport.apply(client, """
        apiVersion: v1
        kind: Service
        metadata: {name: legacy-db}
        spec:
          ports: [{name: tcp-postgres, port: 5432}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: legacy-db-1
          labels: {kubernetes.io/service-name: legacy-db}
        addressType: IPv4
        ports: [{name: tcp-postgres, port: 15432}]
        endpoints:
        - addresses: [192.168.7.10]
          conditions: {ready: true}
        - addresses: [192.168.7.11]
          conditions: {ready: false}
        """, "default");
    var host = "legacy-db.default.svc.cluster.local";
    await("legacy-db has its endpoint", () -> {
      var s = registry().service(host);
      return s != null && !registry().endpoints(s, s.ports().getFirst(), Map.of()).isEmpty();
    });
    var s = registry().service(host);
    assertThat(s.ports().getFirst().protocol()).isEqualTo("TCP");
    assertThat(registry().endpoints(s, s.ports().getFirst(), Map.of())).singleElement().satisfies(e -> {
      assertThat(e.address()).isEqualTo("192.168.7.10");
      assertThat(e.port()).isEqualTo(15432);
    });
  }
}
