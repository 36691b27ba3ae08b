package io.meshwork.control.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.ResourceKey;
import io.meshwork.control.Fixtures;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link MeshContext#next} reuses the previous revision's registry and per-service translations
 * where the change cannot reach them. Whatever it reuses, a proxy's resources must equal a
 * translation from scratch of the same store; and what a change does not touch must keep its
 * identity (that is what makes the next push cheap).
 */
class IncrementalContextTest {
  static final NodeInfo PRODUCTPAGE = NodeInfo.sidecar("productpage-v1", "default", Map.of("app", "productpage", "version", "v1"),
      "10.0.0.9", Map.of("http", 9080));
  static final NodeInfo OTHER_NS = NodeInfo.sidecar("client", "other", Map.of("app", "client"), "10.0.1.9", Map.of("http", 8000));

  static String service(String name) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: %1$s}
        spec:
          selector: {app: %1$s}
          ports: [{name: http, port: 9080}]
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: %1$s-v1}
        spec: {address: 10.1.%2$d.1, labels: {app: %1$s, version: v1}, ports: {http: 9080}}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: %1$s-v2}
        spec: {address: 10.1.%2$d.2, labels: {app: %1$s, version: v2}, ports: {http: 9080}}
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: %1$s}
        spec:
          host: %1$s
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        ---
        """.formatted(name, name.length());
  }

  static String split(String name, int v2) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %1$s}
        spec:
          hosts: [%1$s]
          http:
          - route:
            - {destination: {host: %1$s, subset: v1}, weight: %2$d}
            - {destination: {host: %1$s, subset: v2}, weight: %3$d}
        """.formatted(name, 100 - v2, v2);
  }

  final ConfigStore store = new ConfigStore();

  void apply(String yaml) {
    assertThat(store.apply(ConfigStore.API, Fixtures.yaml(yaml)).errors()).isEmpty();
  }

  /** Translates with the incremental context and from scratch; both must agree for every proxy. */
  MeshContext step(MeshContext prev) {
    var next = MeshContext.next(prev, store.snapshot(), true);
    var scratch = MeshContext.of(store.snapshot(), true);
    for (var node : List.of(PRODUCTPAGE, OTHER_NS)) {
      assertThat(Translator.translate(next, node)).as("incremental = from scratch for %s", node.workloadName())
          .isEqualTo(Translator.translate(scratch, node));
    }
    return next;
  }

  static String cluster(String svc, String subset) {
    return "outbound|9080|" + subset + "|" + svc + ".default.svc.cluster.local";
  }

  @Test
  void aRoutingChangeRebuildsOnlyWhatItNamesAndTheResultEqualsAFullTranslation() {
    apply(service("reviews") + service("ratings") + service("details") + split("reviews", 20) + "---\n" + split("ratings", 0));
    var c0 = MeshContext.of(store.snapshot(), true);
    var r0 = Translator.translate(c0, PRODUCTPAGE);

    apply(split("reviews", 50));
    var c1 = step(c0);
    assertThat(MeshContext.next(c1, store.snapshot(), true)).as("no change: the same view").isSameAs(c1);
    var r1 = Translator.translate(c1, PRODUCTPAGE);
    assertThat(c1.registry()).as("no registry source changed").isSameAs(c0.registry());
    assertThat(r1.clusters().get(cluster("ratings", "v1"))).as("clusters are kept").isSameAs(r0.clusters().get(cluster("ratings", "v1")));
    assertThat(r1.clusters().get(cluster("reviews", "v2"))).isSameAs(r0.clusters().get(cluster("reviews", "v2")));
    assertThat(vhost(r1, "ratings")).as("an untouched virtual host is kept").isSameAs(vhost(r0, "ratings"));
    assertThat(vhost(r1, "reviews")).as("the changed one is rebuilt").isNotEqualTo(vhost(r0, "reviews"));

    // A DestinationRule change: that host's clusters are rebuilt, the others kept.
    apply(service("ratings").replace("- {name: v2, labels: {version: v2}}", "- {name: v3, labels: {version: v3}}"));
    var c2 = step(c1);
    var r2 = Translator.translate(c2, PRODUCTPAGE);
    assertThat(r2.clusters()).containsKey(cluster("ratings", "v3")).doesNotContainKey(cluster("ratings", "v2"));
    assertThat(r2.clusters().get(cluster("reviews", "v1"))).isSameAs(r1.clusters().get(cluster("reviews", "v1")));

    // A consistent-hash policy on one rule changes the routes of every VirtualService that routes there.
    apply("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
        """);
    var c3 = step(c2);
    assertThat(vhost(Translator.translate(c3, PRODUCTPAGE), "reviews").getRoutes(0).getRoute().getHashPolicyCount()).isEqualTo(1);

    // A workload change rebuilds the registry.
    apply(service("details").replace("10.1.7.2", "10.1.7.3"));
    var c4 = step(c3);
    assertThat(c4.registry()).isNotSameAs(c3.registry());

    // A delegate, a wildcard host, an exportTo limit, a Sidecar and a deletion: each agrees with a full translation.
    apply("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: details}
        spec:
          hosts: [details]
          http:
          - match: [{uri: {prefix: /d}}]
            delegate: {name: details-delegate}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: details-delegate}
        spec:
          http:
          - route: [{destination: {host: details, subset: v2}}]
        """);
    var c5 = step(c4);
    apply("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: details-delegate}
        spec:
          http:
          - route: [{destination: {host: details, subset: v1}}]
        """);
    var c6 = step(c5);
    apply("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: everything}
        spec:
          hosts: ["*.default.svc.cluster.local"]
          exportTo: ["."]
          http:
          - fault: {abort: {httpStatus: 418, percentage: {value: 100}}}
            route: [{destination: {host: ratings}}]
        """);
    var c7 = step(c6);
    apply("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: wildcard}
        spec:
          host: "*.default.svc.cluster.local"
          trafficPolicy: {connectionPool: {tcp: {maxConnections: 3}}}
        """);
    var c8 = step(c7);
    apply("""
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: other}
        spec:
          egress: [{hosts: ["default/ratings.default.svc.cluster.local"]}]
        """);
    var c9 = step(c8);
    assertThat(store.delete(List.of(new ResourceKey("networking.istio.io", "VirtualService", "default", "everything"),
        new ResourceKey("networking.istio.io", "DestinationRule", "default", "reviews"))).errors()).isEmpty();
    step(c9);
  }

  static io.envoyproxy.envoy.config.route.v3.VirtualHost vhost(ProxyResources r, String svc) {
    return r.routes().get("9080").getVirtualHostsList().stream().filter(v -> v.getName().startsWith(svc + ".")).findFirst().orElseThrow();
  }
}
