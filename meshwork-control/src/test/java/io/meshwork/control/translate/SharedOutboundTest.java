package io.meshwork.control.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.control.Fixtures;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Sidecars of one outbound scope (namespace, Sidecar, outbound policy, Telemetry, labels when a
 * VirtualService matches on them) share one translated outbound view. Whatever is shared, each
 * proxy's resources must equal a translation built for that proxy alone from scratch, across
 * incremental revisions too; and a type the change cannot reach must keep the previous map (that is
 * what lets a push skip comparing it).
 */
class SharedOutboundTest {
  static final NodeInfo A = NodeInfo.sidecar("a", "default", Map.of("app", "a"), "10.0.0.1", Map.of("http", 9080));
  static final NodeInfo A_REPLICA = NodeInfo.sidecar("a", "default", Map.of("app", "a"), "10.0.0.5", Map.of("http", 9080));
  static final NodeInfo B = NodeInfo.sidecar("b", "default", Map.of("app", "b"), "10.0.0.2", Map.of("http", 9080, "grpc", 7070));
  static final NodeInfo CANARY = NodeInfo.sidecar("c", "default", Map.of("app", "a", "track", "canary"), "10.0.0.3", Map.of("http", 9080));
  static final NodeInfo OTHER = NodeInfo.sidecar("o", "other", Map.of("app", "o"), "10.0.1.1", Map.of("http", 9080));
  static final NodeInfo SCOPED = NodeInfo.sidecar("s", "scoped", Map.of("app", "s"), "10.0.2.1", Map.of("http", 9080));
  static final NodeInfo SELECTED = NodeInfo.sidecar("t", "scoped", Map.of("app", "t"), "10.0.2.2", Map.of("http", 9080));
  static final NodeInfo LOCAL = NodeInfo.sidecar("l", "default", Map.of("app", "l"), "10.0.0.4", Map.of("http", 9080))
      .withUpstreamBinds(Map.of("reviews:9080", "127.0.0.1:16001", "db:5432", "127.0.0.1:16002"));
  static final List<NodeInfo> NODES = List.of(A, A_REPLICA, B, CANARY, OTHER, SCOPED, SELECTED, LOCAL);

  static String service(String name, String ns, int port, String protocolName) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: %1$s, namespace: %2$s}
        spec:
          selector: {app: %1$s}
          ports: [{name: %4$s, port: %3$d}]
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: %1$s-v1, namespace: %2$s}
        spec: {address: 10.9.%5$d.1, labels: {app: %1$s, version: v1}, ports: {%4$s: %3$d}}
        ---
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: %1$s-v2, namespace: %2$s}
        spec: {address: 10.9.%5$d.2, labels: {app: %1$s, version: v2}, ports: {%4$s: %3$d}}
        ---
        """.formatted(name, ns, port, protocolName, Math.abs((name + ns).hashCode() % 250));
  }

  static final String MESH = service("a", "default", 9080, "http") + service("b", "default", 9080, "http")
      + service("reviews", "default", 9080, "http") + service("db", "default", 5432, "tcp") + service("o", "other", 9080, "http")
      + service("private", "other", 9080, "http") + service("s", "scoped", 9080, "http") + service("t", "scoped", 9080, "http") + """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews}
      spec:
        host: reviews
        trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews}
      spec:
        hosts: [reviews]
        http:
        - match: [{sourceLabels: {track: canary}}]
          route: [{destination: {host: reviews, subset: v2}}]
        - route:
          - {destination: {host: reviews, subset: v1}, weight: 90}
          - {destination: {host: reviews, subset: v2}, weight: 10}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: private, namespace: other}
      spec:
        hosts: [private]
        exportTo: ["."]
        http:
        - route: [{destination: {host: private}}]
          timeout: 3s
      ---
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: default, namespace: scoped}
      spec:
        egress: [{hosts: ["./*", "default/reviews.default.svc.cluster.local"]}]
        outboundTrafficPolicy: {mode: REGISTRY_ONLY}
      ---
      apiVersion: networking.istio.io/v1
      kind: Sidecar
      metadata: {name: t-only, namespace: scoped}
      spec:
        workloadSelector: {labels: {app: t}}
        egress: [{hosts: ["./*"]}]
      ---
      apiVersion: telemetry.istio.io/v1
      kind: Telemetry
      metadata: {name: b-metrics, namespace: default}
      spec:
        selector: {matchLabels: {app: b}}
        metrics:
        - providers: [{name: prometheus}]
          overrides:
          - match: {metric: REQUEST_SIZE}
            disabled: true
      """;

  final ConfigStore store = new ConfigStore();

  void apply(String yaml) {
    assertThat(store.apply(ConfigStore.API, Fixtures.yaml(yaml)).errors()).isEmpty();
  }

  /** Every proxy's shared translation at {@code ctx} equals its translation alone, from scratch. */
  void equalsAlone(MeshContext ctx) {
    var scratch = MeshContext.of(store.snapshot(), true);
    for (var node : NODES) {
      var shared = Translator.translate(ctx, node);
      var alone = Translator.translateUnshared(scratch, node);
      assertThat(shared.listeners()).as("listeners of %s", node.workloadName()).isEqualTo(alone.listeners());
      assertThat(shared.routes()).as("routes of %s", node.workloadName()).isEqualTo(alone.routes());
      assertThat(shared.clusters()).as("clusters of %s", node.workloadName()).isEqualTo(alone.clusters());
      assertThat(shared.endpoints()).as("endpoints of %s", node.workloadName()).isEqualTo(alone.endpoints());
      assertThat(shared).isEqualTo(alone);
    }
  }

  @Test
  void everyProxyGetsWhatItWouldGetAloneAndProxiesOfOneScopeShareTheOutboundView() {
    apply(MESH);
    var ctx = MeshContext.of(store.snapshot(), true);
    equalsAlone(ctx);

    var a = Translator.translate(ctx, A);
    var replica = Translator.translate(ctx, A_REPLICA);
    var b = Translator.translate(ctx, B);
    // Same namespace, no Sidecar, same labels (a VirtualService matches on sourceLabels): one view, and
    // even the inbound side is equal, so each type is known to be equal without comparing resources.
    assertThat(replica.routes()).isSameAs(a.routes());
    assertThat(replica.endpoints()).isSameAs(a.endpoints());
    assertThat(Layered.sameContent(replica.clusters(), a.clusters())).isTrue();
    assertThat(Layered.sameContent(replica.listeners(), a.listeners())).isTrue();
    // Other labels and a Telemetry of its own: B has another view (equal to its own translation, checked above).
    assertThat(b.routes()).isNotSameAs(a.routes());
    assertThat(Layered.sameContent(a.clusters(), b.clusters())).isFalse();
    assertThat(a.clusters()).containsKey("inbound|9080||").doesNotContainKey("inbound|7070||");
    assertThat(b.clusters()).containsKeys("inbound|9080||", "inbound|7070||");
    // Different namespace, Sidecar scope, workload Sidecar, sourceLabels: other views.
    assertThat(Translator.translate(ctx, OTHER).routes()).isNotSameAs(a.routes());
    assertThat(Translator.translate(ctx, CANARY).routes()).isNotSameAs(a.routes());
    var scoped = Translator.translate(ctx, SCOPED);
    assertThat(scoped.routes()).isNotSameAs(Translator.translate(ctx, SELECTED).routes());
    assertThat(scoped.clusters()).containsKey(cluster("reviews", "default")).doesNotContainKey(cluster("a", "default"));
    // The local-mode proxy adds its bind's route config on top of the shared ones.
    var local = Translator.translate(ctx, LOCAL);
    assertThat(local.routes()).containsKeys("9080", "reviews.default.svc.cluster.local:9080");
    assertThat(local.listeners()).containsKeys("127.0.0.1_16001", "127.0.0.1_16002", "0.0.0.0_9080", "virtualInbound");
  }

  @Test
  void acrossRevisionsTheSharedViewStaysRightAndUntouchedTypesKeepTheirMaps() {
    apply(MESH);
    var c0 = MeshContext.of(store.snapshot(), true);
    var r0 = Translator.translate(c0, A);

    apply("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - match: [{sourceLabels: {track: canary}}]
            route: [{destination: {host: reviews, subset: v2}}]
          - route:
            - {destination: {host: reviews, subset: v1}, weight: 50}
            - {destination: {host: reviews, subset: v2}, weight: 50}
        """);
    var c1 = MeshContext.next(c0, store.snapshot(), true);
    equalsAlone(c1);
    var r1 = Translator.translate(c1, A);
    assertThat(r1.routes()).isNotEqualTo(r0.routes());
    // A VirtualService weight change cannot touch clusters, endpoints or listeners: same maps, nothing to compare.
    assertThat(Layered.sameContent(r1.clusters(), r0.clusters())).isTrue();
    assertThat(Layered.sameContent(r1.endpoints(), r0.endpoints())).isTrue();
    assertThat(Layered.sameContent(r1.listeners(), r0.listeners())).isTrue();

    apply("""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          subsets:
          - {name: v1, labels: {version: v1}}
          - {name: v2, labels: {version: v2}}
          - {name: v3, labels: {version: v3}}
        """);
    var c2 = MeshContext.next(c1, store.snapshot(), true);
    equalsAlone(c2);
    var r2 = Translator.translate(c2, A);
    assertThat(Layered.sameContent(r2.clusters(), r1.clusters())).isFalse();
    assertThat(r2.clusters()).containsKey("outbound|9080|v3|reviews.default.svc.cluster.local");

    // Without sourceLabels matches, proxies of one namespace share a view whatever their labels.
    apply("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: reviews}
        spec:
          hosts: [reviews]
          http:
          - route: [{destination: {host: reviews, subset: v3}}]
        """);
    var c3a = MeshContext.next(c2, store.snapshot(), true);
    equalsAlone(c3a);
    assertThat(Translator.translate(c3a, LOCAL).endpoints()).isSameAs(Translator.translate(c3a, A).endpoints());
    assertThat(Translator.translate(c3a, CANARY).routes()).isSameAs(Translator.translate(c3a, A).routes());

    apply(service("ratings", "default", 9080, "http") + """
        apiVersion: networking.istio.io/v1
        kind: Sidecar
        metadata: {name: default, namespace: scoped}
        spec:
          egress: [{hosts: ["*/*"]}]
        """);
    var c3 = MeshContext.next(c3a, store.snapshot(), true);
    equalsAlone(c3);
    assertThat(Translator.translate(c3, SCOPED).clusters()).containsKey(cluster("ratings", "default"));
  }

  static String cluster(String svc, String ns) {
    return "outbound|9080||" + svc + "." + ns + ".svc.cluster.local";
  }
}
