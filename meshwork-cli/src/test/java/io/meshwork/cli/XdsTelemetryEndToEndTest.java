package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.observability.MeshTelemetry;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.Reply;
import io.meshwork.xds.client.NodeInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole configuration path for traces and access logs: {@code meshwork control}'s mesh
 * telemetry (Zipkin provider, 1% default) plus Telemetry resources in the store, translated to HCM
 * {@code tracing}/{@code access_log}, accepted by a proxy over xDS, and acted on: the proxy's CLIENT
 * span reaches the collector with Istio's tags, and only requests matching the Telemetry's filter
 * are logged, in JSON.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class XdsTelemetryEndToEndTest {
  static final String MESH = """
      apiVersion: v1
      kind: Service
      metadata: {name: reviews}
      spec:
        selector: {app: reviews}
        ports:
        - {name: http, port: 9080}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: reviews-v1}
      spec:
        address: 127.0.0.1
        labels: {app: reviews, version: v1}
        ports: {http: %d}
      """;

  static final String TELEMETRY = """
      apiVersion: telemetry.istio.io/v1
      kind: Telemetry
      metadata: {name: mesh-default, namespace: istio-system}
      spec:
        tracing:
        - randomSamplingPercentage: 100
      ---
      apiVersion: telemetry.istio.io/v1
      kind: Telemetry
      metadata: {name: productpage-logs, namespace: default}
      spec:
        selector: {matchLabels: {app: productpage}}
        accessLogging:
        - providers: [{name: envoy}]
          filter: {expression: "response.code >= 500 || request.headers['x-debug'] == 'on'"}
      """;

  @Test
  void controlPlaneTelemetryDrivesProxySpansAndFilteredJsonLogs() throws Exception {
    var spans = new ArrayList<JsonNode>();
    var collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    var mapper = new ObjectMapper();
    collector.createContext("/api/v2/spans", ex -> {
      var body = ex.getRequestBody().readAllBytes();
      synchronized (spans) {
        mapper.readTree(body).forEach(spans::add);
      }
      ex.sendResponseHeaders(202, -1);
      ex.close();
    });
    collector.start();
    var accessLog = new ByteArrayOutputStream();
    try (var app = FakeUpstream.named("reviews").start()) {
      app.respondWith(r -> r.uri().startsWith("/fail") ? Reply.status(503) : Reply.ok("v1"));
      var o = ControlPlane.Options.defaults();
      try (var cp = ControlPlane.start(new ControlPlane.Options(null, o.host(), 0, 0, Duration.ofMillis(300), Duration.ofMillis(20), true))) {
        cp.meshTelemetry(MeshTelemetry.builder().zipkin("127.0.0.1:" + collector.getAddress().getPort())
            .accessLogEncoding("JSON").build());
        var r = cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("t.yaml", MESH.formatted(app.port()) + "---\n" + TELEMETRY));
        assertThat(r.errors()).isEmpty();
        int bind;
        try (var s = new ServerSocket(0)) {
          bind = s.getLocalPort();
        }
        var node = NodeInfo.sidecar("productpage-v1", "default", Map.of("app", "productpage", "version", "v1"), "127.0.0.1", Map.of())
            .withUpstreamBinds(Map.of("reviews:9080", "127.0.0.1:" + bind));
        try (var proxy = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node, null, 1,
            new PrintStream(accessLog, true, StandardCharsets.UTF_8), System.err)) {
          assertThat(proxy.awaitFirstConfig(Duration.ofSeconds(20))).isTrue();
          var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
          HttpResponse<String> ok = null;
          for (int i = 0; i < 300 && (ok == null || ok.statusCode() != 200); i++) {
            try {
              ok = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bind + "/ok")).build(),
                  HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
              Thread.sleep(50); // the bind listener is not there yet
            }
          }
          assertThat(ok).isNotNull();
          assertThat(ok.statusCode()).isEqualTo(200);
          assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bind + "/fail")).build(),
              HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
          assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bind + "/debug")).header("x-debug", "on").build(),
              HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

          List<JsonNode> got = List.of();
          for (int i = 0; i < 500; i++) {
            synchronized (spans) {
              got = List.copyOf(spans);
            }
            if (got.stream().anyMatch(s -> s.path("tags").path("http.url").asText().endsWith("/debug"))) {
              break;
            }
            Thread.sleep(20);
          }
          var debug = got.stream().filter(s -> s.path("tags").path("http.url").asText().endsWith("/debug")).findFirst().orElseThrow();
          assertThat(debug.path("kind").asText()).isEqualTo("CLIENT");
          assertThat(debug.path("name").asText()).isEqualTo("reviews.default.svc.cluster.local:9080/*");
          assertThat(debug.path("localEndpoint").path("serviceName").asText()).isEqualTo("productpage.default");
          assertThat(debug.path("tags").path("istio.canonical_service").asText()).isEqualTo("productpage");
          assertThat(debug.path("tags").path("istio.canonical_revision").asText()).isEqualTo("v1");
          assertThat(debug.path("tags").path("istio.mesh_id").asText()).isEqualTo("cluster.local");
          assertThat(debug.path("tags").path("upstream_cluster").asText()).isEqualTo("outbound|9080||reviews.default.svc.cluster.local");
          assertThat(got.stream().filter(s -> s.path("tags").path("http.url").asText().endsWith("/fail")).findFirst().orElseThrow()
              .path("tags").path("error").asText()).isEqualTo("true");

          List<String> lines = List.of();
          for (int i = 0; i < 500 && lines.size() < 2; i++) {
            lines = accessLog.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).toList();
            Thread.sleep(20);
          }
          Thread.sleep(300);
          lines = accessLog.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).toList();
          assertThat(lines).hasSize(2); // /ok is filtered out
          var fail = mapper.readTree(lines.stream().filter(l -> l.contains("/fail")).findFirst().orElseThrow());
          assertThat(fail.path("response_code").asInt()).isEqualTo(503);
          assertThat(fail.path("upstream_cluster").asText()).isEqualTo("outbound|9080||reviews.default.svc.cluster.local");
          assertThat(fail.path("request_id").asText()).isNotEmpty();
          assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"path\":\"/debug\""));
        }
      }
    } finally {
      collector.stop(0);
    }
  }
}
