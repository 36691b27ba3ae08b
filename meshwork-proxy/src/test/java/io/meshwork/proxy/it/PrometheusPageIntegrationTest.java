package io.meshwork.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.testing.FakeUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole Prometheus page stays parseable: every metric family is declared once, in both
 * formats, with Envoy's gauges (the outlier detector's {@code ejections_active}), the health
 * section and the istio_* metrics together. Prometheus rejects a page that declares a family twice.
 */
class PrometheusPageIntegrationTest {
  @RegisterExtension static FakeUpstream a = FakeUpstream.named("a");

  @Test
  void everyFamilyIsDeclaredOnce() throws Exception {
    var yaml = ProxyHarness.http("""
        virtual_hosts:
        - name: all
          domains: ["*"]
          routes:
          - match: {prefix: "/"}
            route: {cluster: backend}
        """, """
        - name: backend
          connect_timeout: 1s
          type: STATIC
          outlier_detection: {consecutive_5xx: 3, base_ejection_time: 60s}
          load_assignment:
            cluster_name: backend
            endpoints:
            - lb_endpoints:
              - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ${a}}}}
        """);
    try (var proxy = ProxyHarness.start(yaml, a); var client = proxy.client()) {
      assertThat(client.get("x", "/").status()).isEqualTo(200);
      ProxyHarness.await(() -> proxy.server().telemetry().metrics().seriesCount() > 0);
      var http = HttpClient.newHttpClient();
      for (var accept : new String[] {"text/plain", "application/openmetrics-text; version=1.0.0"}) {
        var page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.server().adminPort() + "/stats/prometheus"))
            .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(page).contains("envoy_cluster_outlier_detection_ejections_active{envoy_cluster_name=\"backend\"} 0",
            "istio_requests_total{", "envoy_cluster_upstream_rq_active{envoy_cluster_name=\"backend\"} 0");
        var seen = new HashMap<String, Integer>();
        page.lines().filter(l -> l.startsWith("# TYPE ")).forEach(l -> seen.merge(l.split(" ")[2], 1, Integer::sum));
        assertThat(seen).as(accept).allSatisfy((family, count) -> assertThat(count).as(family).isEqualTo(1));
      }
    }
  }
}
