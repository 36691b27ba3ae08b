package io.meshwork.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.telemetry.IstioMetric;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The stats plugin config the control plane sends ({@code istio.stats} HTTP filter, TypedStruct)
 * changes what the proxy records: a dropped metric has no series, an upserted tag carries the
 * expression's value, a removed tag is gone.
 */
class TelemetryOverridesIntegrationTest {
  static final String STATS = """
                  - name: istio.stats
                    typed_config:
                      "@type": type.googleapis.com/xds.type.v3.TypedStruct
                      type_url: type.googleapis.com/stats.PluginConfig
                      value:
                        metrics:
                        - name: requests_total
                          dimensions: {request_host: request.host, client: "request.headers['x-client']", team: "'payments'"}
                          tags_to_remove: [source_principal]
                        - name: request_duration_milliseconds
                          drop: true
        """;

  @Test
  void theInboundProxyAppliesTheOverrides() throws Exception {
    try (var mesh = MeshPair.start(STATS); var client = new RawClient(mesh.httpPort())) {
      var res = client.send("GET", "reviews:9080", "/", ProxyHarness.headers("x-client", "mobile"), null);
      assertThat(res.status()).isEqualTo(200);
      var b = mesh.b.telemetry().metrics();
      ProxyHarness.await(() -> b.counterSum(IstioMetric.REQUESTS_TOTAL, Map.of("reporter", "destination")) == 1);
      var labels = b.seriesLabels(IstioMetric.REQUESTS_TOTAL).getFirst();
      assertThat(labels).containsEntry("request_host", "reviews:9080").containsEntry("client", "mobile")
          .containsEntry("team", "payments").containsEntry("source_workload", "productpage-v1")
          .doesNotContainKey("source_principal");
      assertThat(b.seriesLabels(IstioMetric.REQUEST_DURATION)).isEmpty();
      assertThat(b.seriesLabels(IstioMetric.RESPONSE_BYTES)).hasSize(1);
      // the client side has no overrides: standard labels and every metric
      var a = mesh.a.telemetry().metrics();
      ProxyHarness.await(() -> a.counterSum(IstioMetric.REQUESTS_TOTAL, Map.of("reporter", "source")) == 1);
      assertThat(a.seriesLabels(IstioMetric.REQUESTS_TOTAL).getFirst()).containsKey("source_principal").doesNotContainKey("team");
      assertThat(a.seriesLabels(IstioMetric.REQUEST_DURATION)).hasSize(1);
    }
  }
}
