package io.meshwork.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.testing.LeakDetectionExtension;
import io.meshwork.testing.Reply;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two proxy hops with tracing to a Zipkin-shaped collector: the client's context flows through an
 * outbound proxy (CLIENT span) and an inbound proxy (SERVER span) to the app, and the collector
 * receives both spans with the parent/child links of the hops and Envoy's tags. Sampling: an
 * incoming decision is honoured both ways and {@code x-client-trace-id} forces a trace when the
 * random rate is 0%.
 */
@ExtendWith(LeakDetectionExtension.class)
@Timeout(60)
class TracingIntegrationTest {
  @RegisterExtension static FakeUpstream app = FakeUpstream.named("app");
  static HttpServer collector;
  static final List<JsonNode> received = new ArrayList<>();
  static ProxyHarness inbound;
  static ProxyHarness outbound;

  /** A one-listener proxy; the listener's traffic direction decides its span kind. */
  static String bootstrap(String node, String direction, int upstreamPort, int collectorPort, double randomPercent) {
    return """
        node: {id: %1$s~127.0.0.1, cluster: %1$s}
        static_resources:
          listeners:
          - name: http
            traffic_direction: %2$s
            address: {socket_address: {address: 127.0.0.1, port_value: 0}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: %2$s
                  tracing:
                    random_sampling: {value: %5$s}
                    custom_tags:
                    - {tag: istio.canonical_service, literal: {value: %1$s}}
                    - {tag: istio.namespace, literal: {value: default}}
                    - {tag: istio.mesh_id, literal: {value: cluster.local}}
                    - {tag: request.user, request_header: {name: x-user, default_value: nobody}}
                    provider:
                      name: envoy.tracers.zipkin
                      typed_config:
                        "@type": type.googleapis.com/envoy.config.trace.v3.ZipkinConfig
                        collector_cluster: zipkin
                        collector_endpoint: /api/v2/spans
                        collector_endpoint_version: HTTP_JSON
                  route_config:
                    virtual_hosts:
                    - name: all
                      domains: ["*"]
                      routes:
                      - match: {prefix: "/"}
                        route: {cluster: "%6$s"}
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
          clusters:
          - name: "%6$s"
            connect_timeout: 1s
            type: STATIC
            load_assignment:
              cluster_name: next
              endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %3$d}}}}]}]
          - name: zipkin
            connect_timeout: 1s
            type: STATIC
            load_assignment:
              cluster_name: zipkin
              endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: %4$d}}}}]}]
        """.formatted(node, direction, upstreamPort, collectorPort, randomPercent,
        direction.equals("OUTBOUND") ? "outbound|9080||reviews.default.svc.cluster.local" : "inbound|9080||");
  }

  @BeforeAll
  static void start() throws Exception {
    collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    var mapper = new ObjectMapper();
    collector.createContext("/api/v2/spans", ex -> {
      var body = ex.getRequestBody().readAllBytes();
      synchronized (received) {
        mapper.readTree(body).forEach(received::add);
      }
      ex.sendResponseHeaders(202, -1);
      ex.close();
    });
    collector.start();
    int cp = collector.getAddress().getPort();
    inbound = ProxyHarness.start(bootstrap("reviews", "INBOUND", app.port(), cp, 0));
    outbound = ProxyHarness.start(bootstrap("productpage", "OUTBOUND", inbound.port("http"), cp, 0));
  }

  @AfterAll
  static void stop() {
    outbound.close();
    inbound.close();
    collector.stop(0);
  }

  @BeforeEach
  void clear() {
    synchronized (received) {
      received.clear();
    }
    app.respondWith(r -> Reply.ok("ok"));
  }

  @Test
  void twoHopsGiveClientAndServerSpansLinkedParentToChild() throws Exception {
    var traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    var callerSpan = "00f067aa0ba902b7";
    try (var c = new RawClient(outbound.port("http"))) {
      var res = c.send("GET", "reviews:9080", "/reviews/1", Map.of("traceparent", "00-" + traceId + "-" + callerSpan + "-01",
          "x-user", "jason"), "");
      assertThat(res.status()).isEqualTo(200);
    }
    var spans = awaitSpans(2);
    assertThat(spans).hasSize(2);
    var client = spans.stream().filter(s -> s.path("kind").asText().equals("CLIENT")).findFirst().orElseThrow();
    var server = spans.stream().filter(s -> s.path("kind").asText().equals("SERVER")).findFirst().orElseThrow();
    assertThat(client.path("traceId").asText()).isEqualTo(traceId);
    assertThat(server.path("traceId").asText()).isEqualTo(traceId);
    assertThat(client.path("parentId").asText()).isEqualTo(callerSpan);
    assertThat(server.path("parentId").asText()).isEqualTo(client.path("id").asText());
    assertThat(client.path("localEndpoint").path("serviceName").asText()).isEqualTo("productpage");
    assertThat(server.path("localEndpoint").path("serviceName").asText()).isEqualTo("reviews");
    assertThat(client.path("name").asText()).isEqualTo("reviews.default.svc.cluster.local:9080/*");
    assertThat(server.path("name").asText()).isEqualTo("reviews:9080/*");

    // The app's request carries the inbound proxy's span as its parent, in W3C and B3.
    var rec = app.requests().getFirst();
    assertThat(rec.header("traceparent")).isEqualTo("00-" + traceId + "-" + server.path("id").asText() + "-01");
    assertThat(rec.header("x-b3-traceid")).isEqualTo(traceId);
    assertThat(rec.header("x-b3-spanid")).isEqualTo(server.path("id").asText());
    assertThat(rec.header("x-b3-parentspanid")).isEqualTo(client.path("id").asText());
    assertThat(rec.header("x-b3-sampled")).isEqualTo("1");

    var tags = client.path("tags");
    assertThat(tags.path("component").asText()).isEqualTo("proxy");
    assertThat(tags.path("http.method").asText()).isEqualTo("GET");
    assertThat(tags.path("http.url").asText()).isEqualTo("http://reviews:9080/reviews/1");
    assertThat(tags.path("http.status_code").asText()).isEqualTo("200");
    assertThat(tags.path("http.protocol").asText()).isEqualTo("HTTP/1.1");
    assertThat(tags.path("upstream_cluster").asText()).isEqualTo("outbound|9080||reviews.default.svc.cluster.local");
    assertThat(tags.path("node_id").asText()).isEqualTo("productpage~127.0.0.1");
    assertThat(tags.path("response_flags").asText()).isEqualTo("-");
    assertThat(tags.path("istio.canonical_service").asText()).isEqualTo("productpage");
    assertThat(tags.path("istio.namespace").asText()).isEqualTo("default");
    assertThat(tags.path("istio.mesh_id").asText()).isEqualTo("cluster.local");
    assertThat(tags.path("request.user").asText()).isEqualTo("jason");
    assertThat(tags.path("guid:x-request-id").asText()).isEqualTo(rec.header("x-request-id"));
    assertThat(tags.path("peer.address").asText()).startsWith("127.0.0.1:");
    assertThat(tags.has("error")).isFalse();
    assertThat(server.path("remoteEndpoint").path("ipv4").asText()).isEqualTo("127.0.0.1");
    assertThat(outbound.stat("tracing.zipkin.spans_sent") + inbound.stat("tracing.zipkin.spans_sent")).isEqualTo(2);
  }

  @Test
  void errorsAreMarked() throws Exception {
    app.respondWith(r -> Reply.status(503));
    try (var c = new RawClient(outbound.port("http"))) {
      assertThat(c.send("GET", "reviews:9080", "/x", Map.of("x-b3-sampled", "1"), "").status()).isEqualTo(503);
    }
    var spans = awaitSpans(2);
    assertThat(spans).allSatisfy(s -> {
      assertThat(s.path("tags").path("error").asText()).isEqualTo("true");
      assertThat(s.path("tags").path("http.status_code").asText()).isEqualTo("503");
    });
  }

  @Test
  void incomingNotSampledIsHonouredAndPropagated() throws Exception {
    var traceId = "0af7651916cd43dd8448eb211c80319c";
    try (var c = new RawClient(outbound.port("http"))) {
      assertThat(c.send("GET", "reviews:9080", "/", Map.of("traceparent", "00-" + traceId + "-b7ad6b7169203331-00",
          "x-b3-sampled", "1"), "").status()).isEqualTo(200);
    }
    var rec = app.requests().getFirst();
    assertThat(rec.header("traceparent")).startsWith("00-" + traceId + "-").endsWith("-00");
    assertThat(rec.header("x-b3-sampled")).isEqualTo("0");
    Thread.sleep(1500); // past one flush interval: nothing may arrive
    synchronized (received) {
      assertThat(received).isEmpty();
    }
  }

  @Test
  void randomRateZeroStartsAnUnsampledTraceAndClientTraceIdForcesOne() throws Exception {
    try (var c = new RawClient(outbound.port("http"))) {
      assertThat(c.get("reviews:9080", "/plain").status()).isEqualTo(200);
    }
    var plain = app.requests().getFirst();
    assertThat(plain.header("traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-00");
    assertThat(plain.header("x-request-id")).matches("[0-9a-f-]{36}");
    app.reset();
    app.respondWith(r -> Reply.ok("ok"));
    try (var c = new RawClient(outbound.port("http"))) {
      assertThat(c.send("GET", "reviews:9080", "/forced", Map.of("x-client-trace-id", "abc"), "").status()).isEqualTo(200);
    }
    var spans = awaitSpans(2);
    assertThat(spans).hasSize(2);
    assertThat(spans).allSatisfy(s -> assertThat(s.path("debug").asBoolean()).isTrue());
    assertThat(spans.getFirst().path("parentId").isMissingNode() || spans.get(1).path("parentId").isMissingNode()).isTrue();
    assertThat(app.requests().getFirst().header("x-b3-flags")).isEqualTo("1");
  }

  @Test
  void aRouteDecoratorNamesTheSpanWhateverHostTheCallerSent() throws Exception {
    // Istio's inbound route: decorator.operation <service host>:<service port>/*, so the server span is
    // named after the service even when the caller addressed the pod by IP (Host 127.0.1.1:8080).
    var yaml = bootstrap("reviews", "INBOUND", app.port(), collector.getAddress().getPort(), 0)
        .replaceFirst("(\\n( *)route: \\{cluster: \"inbound\\|9080\\|\\|\"\\})",
            "$1\n$2decorator: {operation: \"reviews.default.svc.cluster.local:9080/*\"}");
    assertThat(yaml).contains("decorator:");
    try (var decorated = ProxyHarness.start(yaml); var c = new RawClient(decorated.port("http"))) {
      assertThat(c.send("GET", "127.0.1.1:8080", "/reviews/1", Map.of("x-b3-sampled", "1"), "").status()).isEqualTo(200);
      var spans = awaitSpans(1);
      assertThat(spans).hasSize(1);
      assertThat(spans.getFirst().path("kind").asText()).isEqualTo("SERVER");
      assertThat(spans.getFirst().path("name").asText()).isEqualTo("reviews.default.svc.cluster.local:9080/*");
      assertThat(spans.getFirst().path("tags").path("http.url").asText()).isEqualTo("http://127.0.1.1:8080/reviews/1");
    }
  }

  private static List<JsonNode> awaitSpans(int n) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      synchronized (received) {
        if (received.size() >= n) {
          break;
        }
      }
      Thread.sleep(10);
    }
    Thread.sleep(100);
    synchronized (received) {
      return List.copyOf(received);
    }
  }
}
