package io.meshwork.console.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshwork.console.TestHttp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The console with {@code --control-plane} against a live control plane and proxy: target
 * discovery from node metadata, validations from the analyzer, config badges on the graph,
 * validate/apply through the control plane, and the traffic-shifting wizard taking effect in
 * routed traffic.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlPlaneConsoleTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private MeshFixture mesh;

  @BeforeAll
  void start() throws Exception {
    mesh = new MeshFixture();
  }

  @AfterAll
  void stop() throws Exception {
    mesh.close();
  }

  @Test
  void scraperFindsTheConnectedProxyThroughTheControlPlane() throws Exception {
    var targets = TestHttp.json("http://127.0.0.1:" + mesh.cp.restPort() + "/debug/targets");
    assertThat(targets).hasSize(1);
    assertThat(targets.get(0).path("workload").asText()).isEqualTo("vote-v1");
    // The proxy advertises its dedicated Prometheus listener (PROMETHEUS_ADDRESS), preferred over the admin port.
    int prometheusPort = mesh.proxy.server().prometheusPort();
    assertThat(prometheusPort).isPositive().isNotEqualTo(mesh.adminPort());
    assertThat(targets.get(0).path("prometheus").asText()).isEqualTo("127.0.0.1:" + prometheusPort);
    mesh.console.metrics().scraper().scrapeOnce();
    var expected = java.net.URI.create("http://127.0.0.1:" + prometheusPort + "/stats/prometheus");
    assertThat(mesh.console.metrics().scraper().lastTargets()).contains(expected, mesh.metrics.target());
    assertThat(mesh.console.metrics().scraper().lastErrors()).doesNotContainKey(expected);
    var stats = TestHttp.json(mesh.api + "/console/stats");
    assertThat(stats.path("metrics").path("targets").toString()).contains(expected.toString());
  }

  @Test
  void validationsSummaryAndPerObjectChecksComeFromTheAnalyzer() throws Exception {
    var bad = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: broken, namespace: other}
        spec:
          hosts: [vote.default.svc.cluster.local]
          gateways: [missing-gateway]
          http:
          - route:
            - destination: {host: vote.default.svc.cluster.local, subset: v9}
        """;
    var r = TestHttp.post(mesh.api + "/console/config/apply", "application/yaml", bad.getBytes(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    try {
      var summary = TestHttp.json(mesh.api + "/istio/validations?namespaces=other,default");
      JsonNode other = null;
      for (var s : summary) {
        if (s.path("namespace").asText().equals("other")) {
          other = s;
        }
      }
      assertThat(other).isNotNull();
      assertThat(other.path("objectCount").asInt()).isEqualTo(1);
      assertThat(other.path("errors").asInt()).isGreaterThanOrEqualTo(2); // unknown gateway, unknown subset
      var config = TestHttp.json(mesh.api + "/console/config?namespaces=other");
      var item = config.path("items").get(0);
      assertThat(item.path("kind").asText()).isEqualTo("VirtualService");
      var v = item.path("validation");
      assertThat(v.path("valid").asBoolean()).isFalse();
      assertThat(v.path("objectGVK").path("Kind").asText()).isEqualTo("VirtualService");
      var codes = new HashSet<String>();
      v.path("checks").forEach(c -> codes.add(c.path("code").asText()));
      assertThat(codes).contains("MW0102", "MW0104");
      var subsetCheck = find(v.path("checks"), "MW0102");
      assertThat(subsetCheck.path("path").asText()).startsWith("spec/http[0]/route[0]");
      assertThat(subsetCheck.path("severity").asText()).isEqualTo("error");
    } finally {
      TestHttp.post(mesh.api + "/console/config/delete", "application/yaml", bad.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void validateShowsErrorsOfAnEditBeforeAnythingIsWritten() throws Exception {
    var edit = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vote, namespace: default}
        spec:
          hosts: [vote]
          http:
          - route:
            - destination: {host: vote, subset: v3}
        """;
    var r = JSON.readTree(TestHttp.post(mesh.api + "/console/config/validate", "application/yaml", edit.getBytes(StandardCharsets.UTF_8)).body());
    assertThat(r.path("valid").asBoolean()).isFalse();
    assertThat(find(r.path("checks"), "MW0102").path("message").asText()).contains("v3");
    var schemaError = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vote, namespace: default}
        spec:
          hosts: [vote]
          http:
          - route:
            - destination: {host: vote}
            timeout: banana
        """;
    r = JSON.readTree(TestHttp.post(mesh.api + "/console/config/validate", "application/yaml", schemaError.getBytes(StandardCharsets.UTF_8)).body());
    assertThat(r.path("valid").asBoolean()).isFalse();
    assertThat(find(r.path("checks"), "MW0001").path("message").asText()).isNotEmpty();
    var applied = TestHttp.post(mesh.api + "/console/config/apply", "application/yaml", schemaError.getBytes(StandardCharsets.UTF_8));
    assertThat(applied.statusCode()).isEqualTo(422);
    var stored = TestHttp.json("http://127.0.0.1:" + mesh.cp.restPort() + "/apis/networking.istio.io/v1/namespaces/default/virtualservices/vote");
    assertThat(stored.path("spec").path("http").get(0).path("timeout").asText()).isNotEqualTo("banana"); // refused whole
  }

  @Test
  void graphCarriesConfigBadgesFromTheControlPlane() throws Exception {
    var vsWithTimeout = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vote, namespace: default}
        spec:
          hosts: [vote]
          http:
          - timeout: 5s
            route:
            - destination: {host: vote, subset: v1}
        """;
    assertThat(TestHttp.post(mesh.api + "/console/config/apply", "application/yaml", vsWithTimeout.getBytes(StandardCharsets.UTF_8)).statusCode())
        .isEqualTo(200);
    mesh.scrapeTwice();
    var g = TestHttp.json(mesh.api + "/namespaces/graph?namespaces=default&graphType=workload&duration=60s&injectServiceNodes=true");
    var vote = node(g, "svc:default:vote");
    assertThat(vote.path("hasVS").path("hostnames").toString()).contains("vote");
    assertThat(vote.path("hasCB").asBoolean()).isTrue();
    assertThat(vote.path("hasRequestTimeout").asBoolean()).isTrue();
    assertThat(vote.has("hasFaultInjection")).isFalse();
    assertThat(vote.has("hasTrafficShifting")).isFalse();
    var external = node(g, "svc:unknown:api.example.com");
    assertThat(external.path("isServiceEntry").path("location").asText()).isEqualTo("MESH_EXTERNAL");
    assertThat(node(g, "wl:default:redis").path("isOutOfMesh").asBoolean()).as("no proxy of redis is connected").isTrue();
    assertThat(node(g, "wl:default:vote-v1").has("isOutOfMesh")).isFalse();
  }

  @Test
  void trafficShiftingWizardPreviewsThenAppliesAndTrafficFollows() throws Exception {
    assertThat(mesh.callVote()).isEqualTo("200 v1");
    var body = "{\"namespace\":\"default\",\"service\":\"vote\",\"weights\":{\"v1\":50,\"v2\":50}}".getBytes(StandardCharsets.UTF_8);
    var preview = JSON.readTree(TestHttp.post(mesh.api + "/console/wizard/traffic-shifting", "application/json", body).body());
    assertThat(preview.path("yaml").asText()).contains("kind: DestinationRule", "kind: VirtualService", "subset: v2", "weight: 50");
    assertThat(preview.path("validation").path("valid").asBoolean()).isTrue();
    var before = TestHttp.json("http://127.0.0.1:" + mesh.cp.restPort() + "/apis/networking.istio.io/v1/namespaces/default/virtualservices/vote");
    assertThat(before.path("spec").path("http").get(0).path("route")).hasSize(1); // a preview writes nothing
    var applied = TestHttp.post(mesh.api + "/console/wizard/traffic-shifting?apply=true", "application/json", body);
    assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
    var vs = TestHttp.json("http://127.0.0.1:" + mesh.cp.restPort() + "/apis/networking.istio.io/v1/namespaces/default/virtualservices/vote");
    var routes = vs.path("spec").path("http").get(0).path("route");
    assertThat(routes).hasSize(2);
    assertThat(routes.get(0).path("weight").asInt()).isEqualTo(50);
    assertThat(routes.get(1).path("destination").path("subset").asText()).isEqualTo("v2");
    var dr = TestHttp.json("http://127.0.0.1:" + mesh.cp.restPort() + "/apis/networking.istio.io/v1/namespaces/default/destinationrules/vote");
    assertThat(dr.path("spec").path("trafficPolicy").has("connectionPool")).as("the wizard keeps the rule's policy").isTrue();
    var seen = new HashSet<String>();
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (seen.size() < 2 && System.nanoTime() < deadline) {
      seen.add(mesh.callVote());
    }
    assertThat(seen).as("both versions answer after the shift reached the proxy").contains("200 v1", "200 v2");
    var g = TestHttp.json(mesh.api + "/namespaces/graph?namespaces=default&graphType=workload&duration=60s&injectServiceNodes=true");
    // The badge follows the new config (the console re-reads the control plane after its own write).
    if (g.path("elements").path("nodes").size() > 0 && hasNode(g, "svc:default:vote")) {
      assertThat(node(g, "svc:default:vote").path("hasTrafficShifting").asBoolean()).isTrue();
    }
    // Put the single route back for the other tests.
    TestHttp.post(mesh.api + "/console/wizard/traffic-shifting?apply=true", "application/json",
        "{\"service\":\"vote\",\"weights\":{\"v1\":100}}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void faultInjectionWizardSetsFaultAndTimeoutOnTheRoutes() throws Exception {
    var body = "{\"service\":\"vote\",\"abortPercent\":100,\"httpStatus\":418,\"timeout\":\"2s\"}".getBytes(StandardCharsets.UTF_8);
    var preview = JSON.readTree(TestHttp.post(mesh.api + "/console/wizard/fault-injection", "application/json", body).body());
    assertThat(preview.path("yaml").asText()).contains("httpStatus: 418", "timeout: 2s");
    var bad = TestHttp.post(mesh.api + "/console/wizard/fault-injection", "application/json",
        "{\"service\":\"vote\",\"abortPercent\":10}".getBytes(StandardCharsets.UTF_8));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("abort", "HTTP status");
    var applied = TestHttp.post(mesh.api + "/console/wizard/fault-injection?apply=true", "application/json", body);
    assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
    try {
      String last = "";
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      while (!last.startsWith("418") && System.nanoTime() < deadline) {
        last = mesh.callVote();
      }
      assertThat(last).startsWith("418");
    } finally {
      TestHttp.post(mesh.api + "/console/wizard/fault-injection?apply=true", "application/json",
          "{\"service\":\"vote\",\"timeout\":\"5s\"}".getBytes(StandardCharsets.UTF_8));
    }
  }

  @Test
  void servicesAndWorkloadsComeFromTheRegistry() throws Exception {
    var services = TestHttp.json(mesh.api + "/console/services?namespace=default");
    JsonNode vote = null;
    for (var s : services) {
      if (s.path("name").asText().equals("vote")) {
        vote = s;
      }
    }
    assertThat(vote).isNotNull();
    assertThat(vote.path("versions").has("v1")).isTrue();
    assertThat(vote.path("versions").has("v2")).isTrue();
    assertThat(vote.path("config").toString()).contains("VirtualService", "DestinationRule");
    // Another test may just have pushed new routes: the proxy is SYNCED once it has acknowledged them.
    JsonNode workloads = null;
    JsonNode proxyWorkload = null;
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
    do {
      workloads = TestHttp.json(mesh.api + "/console/workloads?namespace=default");
      proxyWorkload = null;
      for (var w : workloads) {
        if (w.path("name").asText().startsWith("vote-v1-")) { // auto-registered from the connected proxy
          proxyWorkload = w;
        }
      }
      if (proxyWorkload != null && proxyWorkload.path("sync").asText().equals("SYNCED")) {
        break;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    assertThat(workloads.toString()).contains("vote-v2");
    assertThat(proxyWorkload).as(workloads.toString()).isNotNull();
    assertThat(proxyWorkload.path("proxy").asBoolean()).isTrue();
    assertThat(proxyWorkload.path("sync").asText()).isEqualTo("SYNCED");
  }

  private static JsonNode find(JsonNode checks, String code) {
    for (var c : checks) {
      if (c.path("code").asText().equals(code)) {
        return c;
      }
    }
    throw new AssertionError("no check " + code + " in " + checks);
  }

  private static boolean hasNode(JsonNode g, String id) {
    for (var n : g.path("elements").path("nodes")) {
      if (n.path("data").path("id").asText().equals(id)) {
        return true;
      }
    }
    return false;
  }

  static JsonNode node(JsonNode g, String id) {
    for (var n : g.path("elements").path("nodes")) {
      if (n.path("data").path("id").asText().equals(id)) {
        return n.path("data");
      }
    }
    throw new AssertionError("no node " + id + " in " + g.path("elements").path("nodes"));
  }
}
