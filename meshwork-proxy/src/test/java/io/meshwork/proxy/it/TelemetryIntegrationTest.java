package io.meshwork.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.telemetry.IstioMetric;
import io.meshwork.proxy.telemetry.RequestTelemetry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Client → proxy A (outbound, reporter=source) → proxy B (inbound, reporter=destination) → app,
 * over real loopback sockets: the exact Istio labels on both sides, learnt through the HTTP peer
 * metadata exchange (and hidden from both apps), EDS endpoint metadata for TCP, and the
 * Prometheus/OpenMetrics pages.
 */
class TelemetryIntegrationTest {
  static MeshPair mesh;

  @BeforeAll
  static void start() throws Exception {
    mesh = MeshPair.start(null);
  }

  @AfterAll
  static void stop() throws Exception {
    mesh.close();
  }

  static Map<String, String> expected(String reporter, String policy) {
    var m = new LinkedHashMap<String, String>();
    m.put("reporter", reporter);
    m.put("source_workload", "productpage-v1");
    m.put("source_canonical_service", "productpage");
    m.put("source_canonical_revision", "v1");
    m.put("source_workload_namespace", "default");
    m.put("source_principal", "unknown");
    m.put("source_app", "productpage");
    m.put("source_version", "v1");
    m.put("source_cluster", "Kubernetes");
    m.put("destination_workload", "reviews-v1");
    m.put("destination_workload_namespace", "default");
    m.put("destination_principal", "unknown");
    m.put("destination_app", "reviews");
    m.put("destination_version", "v1");
    m.put("destination_service", "reviews.default.svc.cluster.local");
    m.put("destination_canonical_service", "reviews");
    m.put("destination_canonical_revision", "v1");
    m.put("destination_service_name", "reviews");
    m.put("destination_service_namespace", "default");
    m.put("destination_cluster", "Kubernetes");
    m.put("request_protocol", "http");
    m.put("response_code", "200");
    m.put("grpc_response_status", "");
    m.put("response_flags", "-");
    m.put("connection_security_policy", policy);
    return m;
  }

  @Test
  void bothReportersCarryIstioLabelsLearntFromPeerMetadata() throws Exception {
    var client = new RawClient(mesh.httpPort());
    var res = client.get("reviews:9080", "/reviews/1?user=42");
    assertThat(res.status()).isEqualTo(200);
    assertThat(res.body()).isEqualTo("reviews-app");
    // Neither app sees the exchange headers.
    assertThat(res.header(RequestTelemetry.PEER)).isNull();
    assertThat(res.header(RequestTelemetry.PEER_ID)).isNull();
    var seen = mesh.app.requests().getLast();
    assertThat(seen.header(RequestTelemetry.PEER)).isNull();
    assertThat(seen.header(RequestTelemetry.PEER_ID)).isNull();

    var sourceSide = expected("source", "unknown");
    var destSide = expected("destination", "none");
    ProxyHarness.await(() -> mesh.a.telemetry().metrics().counterSum(IstioMetric.REQUESTS_TOTAL, sourceSide) >= 1
        && mesh.b.telemetry().metrics().counterSum(IstioMetric.REQUESTS_TOTAL, destSide) >= 1);
    assertThat(mesh.a.telemetry().metrics().seriesLabels(IstioMetric.REQUESTS_TOTAL)).contains(sourceSide);
    assertThat(mesh.b.telemetry().metrics().seriesLabels(IstioMetric.REQUESTS_TOTAL)).contains(destSide);
    assertThat(mesh.a.telemetry().metrics().counterSum(IstioMetric.REQUEST_DURATION, sourceSide)).isGreaterThanOrEqualTo(1);
    assertThat(mesh.b.telemetry().metrics().counterSum(IstioMetric.RESPONSE_BYTES, destSide)).isGreaterThanOrEqualTo(1);
    // No path, query or id ever becomes a label.
    assertThat(mesh.a.telemetry().metrics().seriesLabels(IstioMetric.REQUESTS_TOTAL).toString()).doesNotContain("/reviews/1", "42");
    client.close();
  }

  @Test
  void localRepliesAndErrorsAreCountedWithTheirCodeAndFlags() throws Exception {
    mesh.app.respondWith(io.meshwork.testing.Reply.status(503));
    try (var client = new RawClient(mesh.httpPort())) {
      assertThat(client.get("reviews:9080", "/fail").status()).isEqualTo(503);
    } finally {
      mesh.app.respondWith(r -> io.meshwork.testing.Reply.ok("reviews-app"));
    }
    var dest = expected("destination", "none");
    dest.put("response_code", "503");
    ProxyHarness.await(() -> mesh.b.telemetry().metrics().counterSum(IstioMetric.REQUESTS_TOTAL, dest) >= 1);
    assertThat(mesh.b.telemetry().metrics().counterSum(IstioMetric.REQUESTS_TOTAL, dest)).isEqualTo(1);
  }

  @Test
  void tcpMetricsOnBothSidesWithEndpointMetadataAndUnknownSourceOverPlaintext() throws Exception {
    assertThat(mesh.tcpRoundTrip("PING-1234")).isEqualTo("PING-1234");
    var source = Map.of("reporter", "source", "source_workload", "productpage-v1", "destination_workload", "redis-v7",
        "destination_canonical_service", "redis", "destination_service", "redis.default.svc.cluster.local",
        "request_protocol", "tcp", "connection_security_policy", "unknown");
    var dest = Map.of("reporter", "destination", "source_workload", "unknown", "destination_workload", "reviews-v1",
        "request_protocol", "tcp", "connection_security_policy", "none");
    var a = mesh.a.telemetry().metrics();
    var b = mesh.b.telemetry().metrics();
    ProxyHarness.await(() -> a.counterSum(IstioMetric.TCP_CONNECTIONS_CLOSED, source) >= 1
        && b.counterSum(IstioMetric.TCP_CONNECTIONS_CLOSED, dest) >= 1);
    assertThat(a.counterSum(IstioMetric.TCP_CONNECTIONS_OPENED, source)).isEqualTo(1);
    assertThat(a.counterSum(IstioMetric.TCP_CONNECTIONS_CLOSED, source)).isEqualTo(1);
    assertThat(a.counterSum(IstioMetric.TCP_RECEIVED_BYTES, source)).isEqualTo(9);
    assertThat(a.counterSum(IstioMetric.TCP_SENT_BYTES, source)).isEqualTo(9);
    assertThat(b.counterSum(IstioMetric.TCP_RECEIVED_BYTES, dest)).isEqualTo(9);
    assertThat(b.seriesLabels(IstioMetric.TCP_SENT_BYTES).getFirst()).doesNotContainKeys("response_code", "grpc_response_status");
  }

  @Test
  void prometheusAndOpenMetricsPages() throws Exception {
    try (var client = new RawClient(mesh.httpPort())) {
      assertThat(client.get("reviews:9080", "/").status()).isEqualTo(200);
    }
    ProxyHarness.await(() -> mesh.b.telemetry().metrics().counterSum(IstioMetric.REQUESTS_TOTAL, Map.of("reporter", "destination")) >= 1);
    int port = mesh.b.bindPrometheus(new java.net.InetSocketAddress("127.0.0.1", 0));
    var http = HttpClient.newHttpClient();
    var text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stats/prometheus")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(text.statusCode()).isEqualTo(200);
    assertThat(text.headers().firstValue("content-type").orElse("")).startsWith("text/plain; version=0.0.4");
    assertThat(text.body()).contains("# TYPE istio_requests_total counter\n",
        "istio_requests_total{reporter=\"destination\",source_workload=\"productpage-v1\",",
        "# TYPE istio_request_duration_milliseconds histogram\n",
        "le=\"0.5\"}", "le=\"3600000\"}", "le=\"+Inf\"}",
        "envoy_server_total_connections ", "jvm_memory_bytes_used{area=\"heap\"} ", "envoy_cluster_upstream_rq_active{",
        "meshwork_istio_series_overflow_total 0",
        // the rest of the proxy's own health the issue lists: pending (active) downstream requests and the JVM's GC
        "# TYPE envoy_http_downstream_rq_active gauge\nenvoy_http_downstream_rq_active ", "jvm_gc_collection_seconds_count{gc=\"",
        "jvm_gc_collection_seconds_sum{gc=\"");
    assertThat(text.body()).doesNotContain("# EOF");
    var om = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stats/prometheus"))
        .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(om.headers().firstValue("content-type").orElse("")).startsWith("application/openmetrics-text");
    assertThat(om.body()).contains("# TYPE istio_requests counter\n", "\nistio_requests_total{").endsWith("# EOF\n");
    // the admin page carries the same metrics; the Prometheus port serves nothing else
    var admin = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + mesh.b.adminPort() + "/stats/prometheus")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(admin.body()).contains("istio_requests_total{reporter=\"destination\"");
    var other = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/config_dump")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(other.statusCode()).isEqualTo(404);
  }
}
