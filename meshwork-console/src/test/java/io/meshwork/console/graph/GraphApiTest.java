package io.meshwork.console.graph;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.console.ConsoleOptions;
import io.meshwork.console.ConsoleServer;
import io.meshwork.console.MutableClock;
import io.meshwork.console.TestHttp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kiali graph from a scraped fake proxy: gateway -> vote (HTTP, 10/s 200 + 1/s 503, mTLS),
 * an unknown caller -> vote (0.5/s), vote -> redis (TCP, 1500 B/s) and vote -> an external API
 * that only the source reported (2/s).
 */
class GraphApiTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private FakeProxy proxy;
  private ConsoleServer console;
  private String api;

  @BeforeEach
  void start() throws Exception {
    proxy = FakeProxy.votingApp();
    var clock = new MutableClock(T0.minusSeconds(10));
    var opts = ConsoleOptions.defaults().ephemeral().withTargets(List.of(proxy.target()));
    opts = new ConsoleOptions(opts.bindHost(), 0, 0, 0, 0, opts.maxTraces(), opts.maxTraceBytes(), null, opts.scrapeTargets(),
        Duration.ZERO, opts.retention(), opts.maxMetricBytes(), null);
    console = ConsoleServer.start(opts, clock);
    console.metrics().scraper().scrapeOnce();
    proxy.advance(10);
    clock.set(T0);
    console.metrics().scraper().scrapeOnce();
    api = "http://127.0.0.1:" + console.uiPort() + "/api";
  }

  @AfterEach
  void stop() {
    console.close();
    proxy.close();
  }

  @Test
  void workloadGraphWithServiceNodesHasKialisNodesEdgesAndRates() throws Exception {
    JsonNode g = TestHttp.json(api + "/namespaces/graph?namespaces=default&graphType=workload&duration=60s&injectServiceNodes=true");
    assertThat(g.path("graphType").asText()).isEqualTo("workload");
    assertThat(g.path("duration").asLong()).isEqualTo(60);
    JsonNode gw = node(g, "wl:istio-system:istio-ingressgateway");
    assertThat(gw.path("nodeType").asText()).isEqualTo("workload");
    assertThat(gw.path("isRoot").asBoolean()).isTrue();
    assertThat(gw.path("isOutside").asBoolean()).isTrue();
    assertThat(gw.has("isGateway")).isTrue();
    assertThat(node(g, "unknown").path("nodeType").asText()).isEqualTo("unknown");
    assertThat(node(g, "svc:default:vote").path("nodeType").asText()).isEqualTo("service");

    JsonNode vote = node(g, "wl:default:vote-v1");
    assertThat(vote.path("app").asText()).isEqualTo("vote");
    assertThat(vote.path("version").asText()).isEqualTo("v1");
    assertThat(rates(vote, "http").path("httpIn").asText()).isEqualTo("11.50");
    assertThat(rates(vote, "http").path("httpIn5xx").asText()).isEqualTo("1.00");
    assertThat(rates(vote, "http").path("httpOut").asText()).isEqualTo("2.00");
    assertThat(rates(vote, "tcp").path("tcpOut").asText()).isEqualTo("1500.00");
    // 1 of 11.5 inbound is 5xx (8.7 %): above 0 % degraded, below 10 % failure.
    assertThat(vote.path("healthStatus").asText()).isEqualTo("Degraded");
    assertThat(vote.path("healthData").path("requests").path("inbound").path("http").path("503").asDouble()).isEqualTo(1.0);

    JsonNode gwEdge = edge(g, "wl:istio-system:istio-ingressgateway", "svc:default:vote");
    JsonNode traffic = gwEdge.path("traffic");
    assertThat(traffic.path("protocol").asText()).isEqualTo("http");
    assertThat(traffic.path("rates").path("http").asText()).isEqualTo("11.00");
    assertThat(traffic.path("rates").path("http5xx").asText()).isEqualTo("1.00");
    assertThat(traffic.path("rates").path("httpPercentErr").asText()).isEqualTo("9.1");
    assertThat(traffic.path("rates").path("httpPercentReq").asText()).isEqualTo("100.0");
    assertThat(traffic.path("responses").path("200").path("flags").path("-").asText()).isEqualTo("90.9");
    assertThat(traffic.path("responses").path("503").path("hosts").path("vote.default.svc.cluster.local").asText()).isEqualTo("9.1");
    assertThat(gwEdge.path("responseTime").asText()).isEqualTo("36");
    assertThat(gwEdge.path("isMTLS").asText()).isEqualTo("100");
    assertThat(gwEdge.path("throughput").asText()).isEqualTo("4096");

    JsonNode svcEdge = edge(g, "svc:default:vote", "wl:default:vote-v1");
    assertThat(svcEdge.path("traffic").path("rates").path("http").asText()).isEqualTo("11.50");
    assertThat(svcEdge.path("isMTLS").asText()).isEqualTo("96");
    JsonNode unknownEdge = edge(g, "unknown", "svc:default:vote");
    assertThat(unknownEdge.has("isMTLS")).isFalse();
    assertThat(unknownEdge.path("traffic").path("rates").path("http").asText()).isEqualTo("0.50");

    JsonNode tcpEdge = edge(g, "svc:default:redis", "wl:default:redis");
    assertThat(tcpEdge.path("traffic").path("protocol").asText()).isEqualTo("tcp");
    assertThat(tcpEdge.path("traffic").path("rates").path("tcp").asText()).isEqualTo("1500.00");
    assertThat(tcpEdge.path("isMTLS").asText()).isEqualTo("100");

    JsonNode external = node(g, "svc:unknown:api.example.com");
    assertThat(external.path("isServiceEntry").path("location").asText()).isEqualTo("MESH_EXTERNAL");
    JsonNode extEdge = edge(g, "wl:default:vote-v1", "svc:unknown:api.example.com");
    assertThat(extEdge.path("traffic").path("rates").path("http").asText()).isEqualTo("2.00");
    assertThat(g.path("elements").path("edges")).hasSize(6);
  }

  @Test
  void appVersionedAppAndServiceGraphTypes() throws Exception {
    JsonNode app = TestHttp.json(api + "/namespaces/graph?namespaces=default&graphType=app&duration=60&injectServiceNodes=false");
    JsonNode e = edge(app, "app:istio-system:istio-ingressgateway", "app:default:vote");
    assertThat(e.path("traffic").path("rates").path("http").asText()).isEqualTo("11.00");
    assertThat(node(app, "app:default:vote").path("nodeType").asText()).isEqualTo("app");

    JsonNode vapp = TestHttp.json(api + "/namespaces/graph?namespaces=default&graphType=versionedApp&duration=60");
    JsonNode v1 = node(vapp, "app:default:vote:v1");
    assertThat(v1.path("parent").asText()).isEqualTo("box:default:vote");
    assertThat(node(vapp, "box:default:vote").path("isBox").asText()).isEqualTo("app");

    JsonNode svc = TestHttp.json(api + "/namespaces/graph?namespaces=default&graphType=service&duration=60");
    assertThat(svc.path("graphType").asText()).isEqualTo("service");
    // Kiali's service graph: the workload behind vote is folded away; roots stay.
    assertThat(svc.path("elements").path("nodes")).extracting(n -> n.path("data").path("id").asText())
        .containsExactlyInAnyOrder("wl:istio-system:istio-ingressgateway", "svc:default:vote", "unknown", "svc:default:redis", "svc:unknown:api.example.com");
    assertThat(edge(svc, "wl:istio-system:istio-ingressgateway", "svc:default:vote").path("traffic").path("rates").path("http").asText()).isEqualTo("11.00");
    JsonNode voteRedis = edge(svc, "svc:default:vote", "svc:default:redis");
    assertThat(voteRedis.path("traffic").path("rates").path("tcp").asText()).isEqualTo("1500.00");
    assertThat(voteRedis.path("isMTLS").asText()).isEqualTo("100");
    assertThat(edge(svc, "svc:default:vote", "svc:unknown:api.example.com").path("traffic").path("rates").path("http").asText()).isEqualTo("2.00");
    assertThat(rates(node(svc, "svc:default:vote"), "http").path("httpOut").asText()).isEqualTo("2.00");
  }

  @Test
  void healthPerAppAndBadParameters() throws Exception {
    JsonNode h = TestHttp.json(api + "/namespaces/default/health?type=app&rateInterval=60s");
    assertThat(h.path("vote").path("status").path("status").asText()).isEqualTo("Degraded");
    assertThat(h.path("redis").path("status").path("status").asText()).isEqualTo("NA");
    var bad = TestHttp.get(api + "/namespaces/graph?namespaces=default&graphType=mesh");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("graphType=mesh");
    assertThat(TestHttp.get(api + "/namespaces/graph").statusCode()).isEqualTo(400);
  }

  @Test
  void historyGivesTheEdgeRateAtPointsOfTheWindow() throws Exception {
    String edgeId = "wl:istio-system:istio-ingressgateway->svc:default:vote:http";
    JsonNode h = TestHttp.json(api + "/console/history?namespaces=default&graphType=workload&duration=120&id=" + java.net.URLEncoder.encode(edgeId, "UTF-8"));
    JsonNode points = h.path("points");
    assertThat(points).hasSize(12);
    // Only the last point's 30 s window holds both scrapes (at T0-10s and T0).
    JsonNode last = points.get(11);
    assertThat(last.path("rate").asDouble()).isEqualTo(11.0);
    assertThat(last.path("errPct").asDouble()).isEqualTo(9.1);
    assertThat(last.path("p95").asDouble()).isEqualTo(36.0);
    assertThat(points.get(0).has("rate")).isFalse();
    JsonNode node = TestHttp.json(api + "/console/history?namespaces=default&graphType=workload&duration=120&id=wl:default:vote-v1").path("points").get(11);
    assertThat(node.path("httpIn").asDouble()).isEqualTo(11.5);
    assertThat(node.path("tcpOut").asDouble()).isEqualTo(1500.0);
  }

  @Test
  void kialisResponseTimeThroughputTypeAndQueryTimeParameters() throws Exception {
    String base = api + "/namespaces/graph?namespaces=default&graphType=workload&duration=60&injectServiceNodes=false";
    // p50: rank 5.5 of 11/s falls in (5, 10] (cumulative 5 -> 8) -> 5 + 5 * 0.5 / 3 = 5.83.
    assertThat(edge(TestHttp.json(base + "&responseTime=50"), "wl:istio-system:istio-ingressgateway", "wl:default:vote-v1").path("responseTime").asText()).isEqualTo("6");
    // avg: the fixture's _sum grows 20 ms per request.
    assertThat(edge(TestHttp.json(base + "&responseTime=avg"), "wl:istio-system:istio-ingressgateway", "wl:default:vote-v1").path("responseTime").asText()).isEqualTo("20");
    assertThat(TestHttp.get(base + "&responseTime=90").statusCode()).isEqualTo(400);
    // An hour before the scrapes there is no traffic at all.
    JsonNode past = TestHttp.json(base + "&queryTime=" + (T0.getEpochSecond() - 3600));
    assertThat(past.path("elements").path("nodes")).isEmpty();
    assertThat(past.path("timestamp").asLong()).isEqualTo(T0.getEpochSecond() - 3600);
  }

  @Test
  void anEmptyNamespaceGivesAnEmptyGraph() throws Exception {
    JsonNode g = TestHttp.json(api + "/namespaces/graph?namespaces=other&graphType=workload&duration=60");
    assertThat(g.path("elements").path("nodes")).isEmpty();
    assertThat(g.path("elements").path("edges")).isEmpty();
  }

  static JsonNode node(JsonNode g, String id) {
    for (JsonNode n : g.path("elements").path("nodes")) {
      if (n.path("data").path("id").asText().equals(id)) {
        return n.path("data");
      }
    }
    throw new AssertionError("no node " + id + " in " + g.path("elements").path("nodes"));
  }

  static JsonNode edge(JsonNode g, String source, String target) {
    for (JsonNode e : g.path("elements").path("edges")) {
      if (e.path("data").path("source").asText().equals(source) && e.path("data").path("target").asText().equals(target)) {
        return e.path("data");
      }
    }
    throw new AssertionError("no edge " + source + " -> " + target + " in " + g.path("elements").path("edges"));
  }

  static JsonNode rates(JsonNode node, String protocol) {
    for (JsonNode t : node.path("traffic")) {
      if (t.path("protocol").asText().equals(protocol)) {
        return t.path("rates");
      }
    }
    throw new AssertionError("no " + protocol + " traffic on " + node);
  }
}
