package io.meshwork.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.bench.backend.EchoBackend;
import io.meshwork.proxy.ProxyServer;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.proxy.telemetry.IstioMetric;
import io.meshwork.xds.bootstrap.BootstrapLoader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Row 6 (the default mesh) measures what it claims: its two proxies, run in-process from the
 * bench's own bootstraps, talk mTLS, record istio_* metrics with both workloads and the service known
 * on both sides (so peer metadata went through), and export spans to the trace sink. (The bench's
 * certificates come from files, not SDS, so the proxy does not count them as the mesh's mTLS:
 * {@code connection_security_policy} reads "none" and the principals "unknown"; the work per request
 * is the same.)
 */
class DefaultMeshBootstrapsTest {
  @TempDir Path dir;

  @Test
  void theDefaultMeshPairRecordsIstioMetricsWithBothWorkloadsAndExportsSpans() throws Exception {
    var certs = MeshCertificates.write(dir.resolve("mtls"));
    var quiet = new PrintStream(OutputStream.nullOutputStream());
    try (var backend = EchoBackend.start("127.0.0.1", 0, 1, -1, 0); var sink = TraceSink.start()) {
      int serverPort = CompareRunner.freePort();
      int clientPort = CompareRunner.freePort();
      var serverYaml = Bootstraps.mtlsTelemetryServer("server-side", serverPort, CompareRunner.freePort(), backend.port(), certs, sink.port());
      var clientYaml = Bootstraps.mtlsTelemetryClient("client-side", clientPort, CompareRunner.freePort(), serverPort, certs, sink.port());
      assertThat(serverYaml).contains("traffic_direction: INBOUND", "name: istio.stats", "random_sampling: {value: 1.0}",
          "\"inbound|8080||\"");
      assertThat(clientYaml).contains("traffic_direction: OUTBOUND", "name: istio.stats", "random_sampling: {value: 1.0}",
          "\"outbound|8080||bench-server.bench.svc.cluster.local\"", "UpstreamTlsContext");
      try (var server = ProxyServer.start(ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("server.yaml", serverYaml), 1), 1, quiet);
          var client = ProxyServer.start(ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("client.yaml", clientYaml), 1), 1, quiet)) {
        var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        int n = 20;
        for (int i = 0; i < n; i++) {
          // an incoming sampling decision is honoured, so every request is traced despite the 1% rate
          var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + clientPort + "/echo"))
              .header("x-b3-sampled", "1").timeout(Duration.ofSeconds(20))
              .POST(HttpRequest.BodyPublishers.ofString("hello " + i)).build(), HttpResponse.BodyHandlers.ofString());
          assertThat(res.statusCode()).isEqualTo(200);
          assertThat(res.body()).isEqualTo("hello " + i);
          // the client side strips the server's peer metadata before the app sees the response
          assertThat(res.headers().firstValue("x-envoy-peer-metadata")).isEmpty();
        }
        // each side records when its exchange finishes, which may be just after the client has its answer
        var serverMetrics = server.telemetry().metrics();
        var clientMetrics = client.telemetry().metrics();
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while ((serverMetrics.counterSum(IstioMetric.REQUESTS_TOTAL, Map.of()) < n || clientMetrics.counterSum(IstioMetric.REQUESTS_TOTAL,
            Map.of()) < n) && System.nanoTime() < until) {
          Thread.sleep(20);
        }
        assertThat(server.telemetry().metrics().counterSum(IstioMetric.REQUESTS_TOTAL, Map.of("reporter", "destination",
            "source_workload", "bench-client", "destination_workload", "bench-server",
            "destination_service", "bench-server.bench.svc.cluster.local", "response_code", "200"))).as("server series %s", serverMetrics.seriesLabels(IstioMetric.REQUESTS_TOTAL)).isEqualTo(n);
        assertThat(client.telemetry().metrics().counterSum(IstioMetric.REQUESTS_TOTAL, Map.of("reporter", "source",
            "source_workload", "bench-client", "destination_workload", "bench-server",
            "destination_service", "bench-server.bench.svc.cluster.local"))).as("client series %s",
            clientMetrics.seriesLabels(IstioMetric.REQUESTS_TOTAL)).isEqualTo(n);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (sink.spans() < 2L * n && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(sink.spans()).as("a client and a server span per request").isGreaterThanOrEqualTo(2L * n);
      }
    }
  }

  @Test
  void theSinkCountsOneSpanPerTraceId() {
    var body = "[{\"traceId\":\"a\",\"id\":\"1\"},{\"traceId\":\"a\",\"id\":\"2\"}]".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(TraceSink.count(body, "\"traceId\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII))).isEqualTo(2);
  }
}
