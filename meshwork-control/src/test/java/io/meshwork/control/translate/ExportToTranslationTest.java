package io.meshwork.control.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.meshwork.control.Fixtures;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code exportTo} visibility: a VirtualService, DestinationRule, ServiceEntry or Service (its
 * {@code networking.istio.io/exportTo} annotation) exported to {@code "."} shapes the config of
 * proxies in its own namespace only; a proxy in another namespace gets the config it would have
 * without them.
 */
class ExportToTranslationTest {
  static final String H = "reviews.a.svc.cluster.local";
  static final String MESH = """
      apiVersion: v1
      kind: Service
      metadata: {name: reviews, namespace: a}
      spec:
        selector: {app: reviews}
        ports:
        - {name: http, port: 9080}
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: ratings
        namespace: a
        annotations: {networking.istio.io/exportTo: "."}
      spec:
        selector: {app: ratings}
        ports:
        - {name: http, port: 9080}
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews, namespace: a}
      spec:
        host: reviews.a.svc.cluster.local
        exportTo: ["."]
        trafficPolicy:
          connectionPool:
            tcp: {maxConnections: 3}
        subsets:
        - name: v1
          labels: {version: v1}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews, namespace: a}
      spec:
        hosts: [reviews.a.svc.cluster.local]
        exportTo: ["."]
        http:
        - match:
          - headers:
              end-user: {exact: jason}
          route:
          - destination: {host: reviews.a.svc.cluster.local, subset: v1}
        - route:
          - destination: {host: reviews.a.svc.cluster.local, subset: v1}
          timeout: 3s
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: billing, namespace: a}
      spec:
        hosts: [billing.internal.example]
        exportTo: ["."]
        location: MESH_INTERNAL
        resolution: DNS
        ports:
        - {number: 8443, name: http, protocol: HTTP}
      """;

  static ProxyResources translateFor(String namespace) {
    var store = new ConfigStore();
    var r = store.apply(ConfigStore.API, Fixtures.yaml(MESH));
    assertThat(r.errors()).isEmpty();
    var node = NodeInfo.sidecar("app-v1", namespace, Map.of("app", "app"), "10.0.0.9", Map.of());
    return Translator.translate(MeshContext.of(store.snapshot(), true), node);
  }

  static List<Route> reviewsRoutes(ProxyResources r) {
    return r.routes().get("9080").getVirtualHostsList().stream().filter(v -> v.getName().startsWith(H)).findFirst().orElseThrow()
        .getRoutesList();
  }

  @Test
  void resourcesExportedToTheirOwnNamespaceShapeOnlyThatNamespacesProxies() {
    var own = translateFor("a");
    assertThat(own.clusters()).containsKeys("outbound|9080|v1|" + H, "outbound|9080||ratings.a.svc.cluster.local",
        "outbound|8443||billing.internal.example");
    assertThat(own.clusters().get("outbound|9080||" + H).getCircuitBreakers().getThresholds(0).getMaxConnections().getValue())
        .as("the DestinationRule's pool in its own namespace").isEqualTo(3);
    var ownRoutes = reviewsRoutes(own);
    assertThat(ownRoutes).hasSize(2);
    assertThat(ownRoutes.get(0).getMatch().getHeaders(0).getName()).isEqualTo("end-user");
    assertThat(ownRoutes.get(1).getRoute().getCluster()).isEqualTo("outbound|9080|v1|" + H);
    assertThat(ownRoutes.get(1).getRoute().getTimeout().getSeconds()).isEqualTo(3);
    assertThat(own.routes().get("8443").getVirtualHostsList()).anyMatch(v -> v.getDomainsList().contains("billing.internal.example"));

    var other = translateFor("b");
    assertThat(other.clusters()).as("reviews itself is exported everywhere").containsKey("outbound|9080||" + H);
    assertThat(other.clusters().keySet()).as("no subsets, no Service or ServiceEntry exported to \".\" elsewhere")
        .doesNotContain("outbound|9080|v1|" + H)
        .noneMatch(k -> k.contains("ratings.a") || k.contains("billing.internal.example"));
    var cb = other.clusters().get("outbound|9080||" + H).getCircuitBreakers();
    assertThat(cb.getThresholdsCount() == 0 || cb.getThresholds(0).getMaxConnections().getValue() != 3)
        .as("the DestinationRule's pool does not reach namespace b").isTrue();
    var otherRoutes = reviewsRoutes(other);
    assertThat(otherRoutes).as("the default route, not the VirtualService's").hasSize(1);
    assertThat(otherRoutes.getFirst().getMatch().getHeadersCount()).isZero();
    assertThat(otherRoutes.getFirst().getRoute().getCluster()).isEqualTo("outbound|9080||" + H);
    assertThat(otherRoutes.getFirst().getRoute().hasTimeout() && otherRoutes.getFirst().getRoute().getTimeout().getSeconds() == 3).isFalse();
    var r8443 = other.routes().get("8443");
    assertThat(r8443 == null || r8443.getVirtualHostsList().stream().noneMatch(v -> v.getDomainsList().contains("billing.internal.example")))
        .isTrue();
  }
}
