package io.meshwork.control.xds;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.xds.client.NodeInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Removing a DestinationRule subset that a VirtualService still routes to: as with Istio and Envoy,
 * the proxy accepts the update (the route configuration came over RDS, where Envoy does not
 * validate cluster references) and only the route to the missing cluster answers 503 with the
 * response flag NC; the rest of the update applies and the other routes keep serving.
 */
class MissingSubsetTest {
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
      spec: {address: 127.0.0.1, labels: {app: reviews, version: v1}, ports: {http: %d}}
      ---
      apiVersion: networking.istio.io/v1
      kind: WorkloadEntry
      metadata: {name: reviews-v2}
      spec: {address: 127.0.0.1, labels: {app: reviews, version: v2}, ports: {http: %d}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews}
      spec:
        hosts: [reviews]
        http:
        - match: [{headers: {end-user: {exact: jason}}}]
          route: [{destination: {host: reviews, subset: v2}}]
        - route: [{destination: {host: reviews, subset: v1}}]
      ---
      """;

  static String rule(String subsets, String extra) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: reviews}
        spec:
          host: reviews
          trafficPolicy: {connectionPool: {http: {maxRequestsPerConnection: %s}}}
          subsets:
        %s""".formatted(extra, subsets.indent(2));
  }

  static final String BOTH = "- {name: v1, labels: {version: v1}}\n- {name: v2, labels: {version: v2}}\n";
  static final String ONLY_V1 = "- {name: v1, labels: {version: v1}}\n";

  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aRouteToARemovedSubsetAnswers503NcAndTheRestOfTheUpdateApplies() throws Exception {
    var log = new ByteArrayOutputStream();
    try (var v1 = FakeUpstream.named("v1").start(); var v2 = FakeUpstream.named("v2").start()) {
      var o = ControlPlane.Options.defaults().withPorts(0, 0);
      try (var cp = ControlPlane.start(new ControlPlane.Options(o.configDir(), o.host(), 0, 0, o.registrationGrace(),
          Duration.ofMillis(20), true))) {
        // access logs to the proxy's stdout (here: the test's stream), where the response flag shows
        cp.meshTelemetry(io.meshwork.control.observability.MeshTelemetry.builder().accessLogFile("/dev/stdout").build());
        apply(cp, MESH.formatted(v1.port(), v2.port()) + rule(BOTH, "1000"));
        int bindPort;
        try (var s = new ServerSocket(0)) {
          bindPort = s.getLocalPort();
        }
        var node = NodeInfo.sidecar("productpage-v1", "default", Map.of("app", "productpage"), "127.0.0.1", Map.of())
            .withUpstreamBinds(Map.of("reviews:9080", "127.0.0.1:" + bindPort));
        try (var proxy = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node, null, 1, new PrintStream(log, true, StandardCharsets.UTF_8),
            System.err)) {
          assertThat(proxy.awaitFirstConfig(Duration.ofSeconds(30))).isTrue();
          await(bindPort, "jason", r -> r.statusCode() == 200 && r.body().equals("v2"));

          // v2 goes away while the VirtualService still names it; the same update changes the pool
          // settings, so "the update applied" is visible in the cluster the proxy holds.
          apply(cp, rule(ONLY_V1, "7"));
          await(bindPort, "jason", r -> r.statusCode() == 503);
          assertThat(proxy.lastRejection()).as("nothing NACKed").isEmpty();
          assertThat(get(bindPort, "someone").body()).as("the other route still serves").isEqualTo("v1");
          var sync = cp.xds().proxies().getFirst().types();
          assertThat(sync.values()).allSatisfy(t -> assertThat(t.lastNack()).isEmpty());
          assertThat(cp.xds().metrics().nacks()).isZero();
          var held = cp.xds().resources("productpage-v1");
          assertThat(held.clusters()).doesNotContainKey("outbound|9080|v2|reviews.default.svc.cluster.local");
          assertThat(held.clusters().get("outbound|9080|v1|reviews.default.svc.cluster.local").getCommonHttpProtocolOptions().getMaxRequestsPerConnection().getValue())
              .isEqualTo(7);
          awaitLog(log, " 503 NC ");

          // The subset comes back: the route works again without any other change.
          apply(cp, rule(BOTH, "7"));
          await(bindPort, "jason", r -> r.statusCode() == 200 && r.body().equals("v2"));
        }
      }
    }
  }

  static void apply(ControlPlane cp, String yaml) {
    assertThat(cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("test.yaml", yaml)).errors()).isEmpty();
  }

  HttpResponse<String> get(int port, String user) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reviews/1")).header("end-user", user)
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  void await(int port, String user, Predicate<HttpResponse<String>> p) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    HttpResponse<String> last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = get(port, user);
        if (p.test(last)) {
          return;
        }
      } catch (java.io.IOException e) {
        // the bind listener is not there yet
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no matching response within 30 s; last: " + (last == null ? "none" : last.statusCode() + " " + last.body()));
  }

  static void awaitLog(ByteArrayOutputStream log, String text) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!log.toString(StandardCharsets.UTF_8).contains(text)) {
      assertThat(System.nanoTime()).as("access log shows %s; log: %s", text, log.toString(StandardCharsets.UTF_8)).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
