package io.meshwork.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The route-matching benchmark measures what it says: 1,000 routes, and each request lands where intended. */
class RoutesTest {
  @Test
  void theBenchmarkTableHasAThousandRoutesAndTheRequestsMatchTheIntendedOnes() throws Exception {
    var b = new RouteMatchBenchmark();
    b.setup();
    var vh = b.table.virtualHost("reviews.default.svc:9080");
    assertThat(vh.name()).isEqualTo("all");
    assertThat(vh.routes()).hasSize(1000);
    assertThat(b.firstRoute()).isSameAs(vh.routes().get(1));
    assertThat(b.middleRouteWithHeader()).isSameAs(vh.routes().get(500));
    assertThat(b.catchAllAfter1000()).isSameAs(vh.routes().get(999));
    // without the header, route 500 does not match and the request falls through to the catch-all
    var noHeader = new Routes.Head("GET", "/svc500/items", "", "x", "http", Map.of());
    assertThat(vh.route(noHeader)).isSameAs(vh.routes().get(999));
  }

  @Test
  void theHeaderBenchmarkParsesTheRequestHead() {
    var b = new HeaderParseBenchmark();
    b.setup();
    try {
      assertThat(b.parse()).isEqualTo("reviews.default.svc.cluster.local:9080");
      assertThat(b.parse()).isEqualTo("reviews.default.svc.cluster.local:9080"); // keep-alive: the next head too
    } finally {
      b.tearDown();
    }
  }

  @Test
  void theBalancerBenchmarkPicksAmongAllEndpoints() throws Exception {
    var b = new LoadBalancerBenchmark();
    b.policy = "ROUND_ROBIN";
    b.endpoints = 3;
    b.setup();
    var ports = new java.util.HashSet<Integer>();
    for (int i = 0; i < 3; i++) {
      ports.add(b.pick().address().getPort());
    }
    assertThat(ports).containsExactlyInAnyOrder(10000, 10001, 10002);
  }

  @Test
  void theHeaderEncodeBenchmarkWritesTheWholeResponseHeadEveryTime() {
    var b = new HeaderEncodeBenchmark();
    b.setup();
    try {
      var text = b.encodedOnce();
      assertThat(text).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n")
          .contains("server: istio-envoy\r\n", "content-length: 1024\r\n", "x-envoy-upstream-service-time: 3\r\n");
      assertThat(text.split("\r\n")).hasSize(11); // status line + 10 headers
      // keep-alive: the encoder is ready for the next response, which is as long
      assertThat(b.encode()).isEqualTo(text.length());
      assertThat(b.encode()).isEqualTo(text.length());
    } finally {
      b.tearDown();
    }
  }

  @Test
  void theMetricBenchmarkRecordsOneRequestWithTheFullLabelSetPerCall() throws Exception {
    var b = new MetricRecordBenchmark();
    b.setup();
    for (int i = 0; i < 3; i++) {
      b.recordRequest();
    }
    var metrics = b.telemetry.metrics();
    assertThat(metrics.counterSum(io.meshwork.proxy.telemetry.IstioMetric.REQUESTS_TOTAL, Map.of("reporter", "destination",
        "source_workload", "productpage-v1", "source_app", "productpage", "destination_workload", "reviews-v1",
        "destination_app", "reviews", "destination_service", "reviews.default.svc.cluster.local", "response_code", "200",
        "request_protocol", "http"))).isEqualTo(3);
    // one series per metric, not one per request: the label set is resolved once and cached
    assertThat(metrics.seriesLabels(io.meshwork.proxy.telemetry.IstioMetric.REQUESTS_TOTAL)).hasSize(1);
    // the server side answers with its own peer metadata, as a sidecar does
    assertThat(b.response.get(io.meshwork.proxy.telemetry.RequestTelemetry.PEER_ID)).contains("reviews-v1");
  }
}
