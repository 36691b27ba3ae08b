package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.config.codec.ConfigLoader;
import io.meshwork.control.ControlPlane;
import io.meshwork.control.store.ConfigStore;
import io.meshwork.proxy.telemetry.IstioMetric;
import io.meshwork.proxy.xds.XdsProxy;
import io.meshwork.testing.FakeUpstream;
import io.meshwork.xds.client.NodeInfo;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Telemetry through the whole chain: the control plane puts Istio's workload metadata on EDS
 * endpoints, so a sidecar's very first request (to an app without a sidecar, which sends no peer
 * metadata back) already has the destination workload; a Telemetry resource written to the store
 * reaches the proxy as its stats config and changes the labels it records; the Prometheus
 * endpoint shows them with the xDS state.
 */
class TelemetryXdsEndToEndTest {
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
      metadata: {name: default-metrics, namespace: default}
      spec:
        metrics:
        - overrides:
          - match: {metric: REQUEST_COUNT, mode: CLIENT}
            tagOverrides:
              request_method: {value: request.method}
          - match: {metric: REQUEST_DURATION}
            disabled: true
      """;

  @Test
  void endpointMetadataAndTelemetryOverridesReachTheProxy() throws Exception {
    var o = ControlPlane.Options.defaults().withPorts(0, 0).withGrace(Duration.ofMillis(300));
    try (var app = FakeUpstream.named("reviews").start();
        var cp = ControlPlane.start(new ControlPlane.Options(o.configDir(), o.host(), 0, 0, o.registrationGrace(), Duration.ofMillis(20), true))) {
      apply(cp, MESH.formatted(app.port()));
      int bindPort;
      try (var s = new ServerSocket(0)) {
        bindPort = s.getLocalPort();
      }
      var node = NodeInfo.sidecar("productpage-v1", "default", Map.of("app", "productpage", "version", "v1"), "127.0.0.1", Map.of())
          .withUpstreamBinds(Map.of("reviews:9080", "127.0.0.1:" + bindPort));
      try (var proxy = XdsProxy.start("127.0.0.1:" + cp.xdsPort(), node, null, new InetSocketAddress("127.0.0.1", 0), 1,
          System.out, System.err)) {
        assertThat(proxy.awaitFirstConfig(Duration.ofSeconds(20))).isTrue();
        var http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        var metrics = proxy.server().telemetry().metrics();
        var edge = Map.of("reporter", "source", "source_workload", "productpage-v1", "destination_workload", "reviews-v1",
            "destination_version", "v1", "destination_canonical_service", "reviews",
            "destination_service", "reviews.default.svc.cluster.local", "response_code", "200");
        await(() -> {
          send(http, bindPort);
          return metrics.counterSum(IstioMetric.REQUESTS_TOTAL, edge) > 0;
        });
        assertThat(metrics.counterSum(IstioMetric.REQUESTS_TOTAL, edge)).isPositive();

        apply(cp, TELEMETRY);
        var withMethod = new java.util.HashMap<>(edge);
        withMethod.put("request_method", "GET");
        await(() -> {
          send(http, bindPort);
          return metrics.counterSum(IstioMetric.REQUESTS_TOTAL, withMethod) > 0;
        });
        assertThat(metrics.counterSum(IstioMetric.REQUESTS_TOTAL, withMethod)).isPositive();
        long durations = metrics.counterSum(IstioMetric.REQUEST_DURATION, edge);
        send(http, bindPort);
        send(http, bindPort);
        await(() -> metrics.counterSum(IstioMetric.REQUESTS_TOTAL, withMethod) >= 3);
        assertThat(metrics.counterSum(IstioMetric.REQUEST_DURATION, edge)).as("duration disabled").isEqualTo(durations);

        var page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.server().prometheusPort() + "/stats/prometheus"))
            .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(page).contains("request_method=\"GET\"", "meshwork_xds_connected 1", "meshwork_xds_last_accepted_version ",
            "meshwork_xds_rejects_total 0");
      }
    }
  }

  static void send(HttpClient http, int port) {
    try {
      http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/reviews/1")).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      // the bind listener is not there yet
    }
  }

  static void apply(ControlPlane cp, String yaml) {
    var result = cp.store().apply(ConfigStore.API, ConfigLoader.create().loadText("test.yaml", yaml));
    assertThat(result.errors()).isEmpty();
  }

  static void await(BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline && !done.getAsBoolean()) {
      Thread.sleep(50);
    }
  }
}
