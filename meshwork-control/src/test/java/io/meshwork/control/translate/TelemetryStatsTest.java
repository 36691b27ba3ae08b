package io.meshwork.control.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.meshwork.control.Fixtures;
import io.meshwork.control.Mesh;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.xds.client.NodeInfo;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Telemetry API metrics overrides become Istio's stats plugin config per proxy and direction,
 * with root namespace → namespace → selector precedence; EDS endpoints carry Istio's workload metadata.
 */
class TelemetryStatsTest {
  static final NodeInfo PRODUCTPAGE = NodeInfo.sidecar("productpage-v1", "default", Map.of("app", "productpage", "version", "v1"),
      "10.0.0.9", Map.of("http", 9080, "tcp-redis", 6379)).withUpstreamBinds(Map.of("reviews:9080", "127.0.0.1:16001"));

  static MeshContext mesh(String telemetry) throws Exception {
    var store = new ConfigStore();
    var r = store.apply(ConfigStore.API, Fixtures.bookinfo("platform/bookinfo.yaml"));
    assertThat(r.errors()).isEmpty();
    store.apply(ConfigStore.API, Fixtures.yaml(Mesh.workload("reviews-v1", "v1", "10.0.0.1")));
    if (telemetry != null) {
      var t = store.apply(ConfigStore.API, Fixtures.yaml(telemetry));
      assertThat(t.errors()).isEmpty();
    }
    return MeshContext.of(store.snapshot(), true);
  }

  static final String TELEMETRY = """
      apiVersion: telemetry.istio.io/v1
      kind: Telemetry
      metadata: {name: mesh-default, namespace: istio-system}
      spec:
        metrics:
        - providers: [{name: prometheus}]
          overrides:
          - match: {metric: REQUEST_SIZE}
            disabled: true
      ---
      apiVersion: telemetry.istio.io/v1
      kind: Telemetry
      metadata: {name: ns, namespace: default}
      spec:
        metrics:
        - overrides:
          - match: {metric: REQUEST_COUNT, mode: CLIENT}
            tagOverrides:
              request_host: {value: request.host}
          - match: {mode: SERVER}
            tagOverrides:
              source_principal: {operation: REMOVE}
      ---
      apiVersion: telemetry.istio.io/v1
      kind: Telemetry
      metadata: {name: only-productpage, namespace: default}
      spec:
        selector: {matchLabels: {app: productpage}}
        metrics:
        - overrides:
          - match: {metric: REQUEST_SIZE}
            disabled: false
      ---
      apiVersion: telemetry.istio.io/v1
      kind: Telemetry
      metadata: {name: other-ns, namespace: prod}
      spec:
        metrics:
        - overrides:
          - disabled: true
      """;

  static Struct statsOf(Listener l) throws Exception {
    var hcm = l.getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
    var names = hcm.getHttpFiltersList().stream().map(f -> f.getName()).toList();
    assertThat(names.getLast()).isEqualTo("envoy.filters.http.router");
    assertThat(names.get(names.size() - 2)).isEqualTo("istio.stats");
    var typed = hcm.getHttpFilters(names.size() - 2).getTypedConfig().unpack(com.github.xds.type.v3.TypedStruct.class);
    assertThat(typed.getTypeUrl()).isEqualTo("type.googleapis.com/stats.PluginConfig");
    return typed.getValue();
  }

  @Test
  void overridesMergeWidestFirstPerDirection() throws Exception {
    var r = Translator.translate(mesh(TELEMETRY), PRODUCTPAGE);
    var outbound = JsonFormat.printer().omittingInsignificantWhitespace().print(statsOf(r.listeners().get("127.0.0.1_16001")));
    assertThat(outbound).isEqualTo("{\"metrics\":["
        + "{\"name\":\"request_bytes\",\"drop\":true},"
        + "{\"name\":\"requests_total\",\"dimensions\":{\"request_host\":\"request.host\"}},"
        + "{\"name\":\"request_bytes\",\"drop\":false}]}");
    var inboundChain = r.listeners().get("virtualInbound").getFilterChainsList().stream()
        .filter(c -> c.getName().equals("inbound|9080||")).findFirst().orElseThrow();
    var inbound = JsonFormat.printer().omittingInsignificantWhitespace().print(statsOf(
        Listener.newBuilder().addFilterChains(inboundChain).build()));
    assertThat(inbound).isEqualTo("{\"metrics\":["
        + "{\"name\":\"request_bytes\",\"drop\":true},"
        + "{\"name\":\"\",\"tags_to_remove\":[\"source_principal\"]},"
        + "{\"name\":\"request_bytes\",\"drop\":false}]}");
    // TCP chains (the inbound redis port) read the same config from the listener's filter metadata
    assertThat(r.listeners().get("virtualInbound").getMetadata().getFilterMetadataMap()).containsKey("istio.stats");
  }

  @Test
  void withoutTelemetryNothingIsAddedAndEndpointsCarryWorkloadMetadata() throws Exception {
    var r = Translator.translate(mesh(null), PRODUCTPAGE);
    var hcm = r.listeners().get("127.0.0.1_16001").getFilterChains(0).getFilters(0).getTypedConfig().unpack(HttpConnectionManager.class);
    assertThat(hcm.getHttpFiltersList()).noneMatch(f -> f.getName().equals("istio.stats"));
    var ep = r.endpoints().get("outbound|9080||reviews.default.svc.cluster.local").getEndpoints(0).getLbEndpoints(0);
    assertThat(ep.getMetadata().getFilterMetadataMap().get("istio").getFieldsMap().get("workload").getStringValue())
        .isEqualTo("reviews-v1;default;reviews;v1;Kubernetes");
  }

  @Test
  void aProviderListWithoutPrometheusDropsEverything() throws Exception {
    var r = Translator.translate(mesh("""
        apiVersion: telemetry.istio.io/v1
        kind: Telemetry
        metadata: {name: ns, namespace: default}
        spec:
          metrics:
          - providers: [{name: stackdriver}]
        """), PRODUCTPAGE);
    var stats = statsOf(r.listeners().get("127.0.0.1_16001"));
    assertThat(JsonFormat.printer().omittingInsignificantWhitespace().print(stats)).isEqualTo("{\"metrics\":[{\"drop\":true}]}");
  }
}
