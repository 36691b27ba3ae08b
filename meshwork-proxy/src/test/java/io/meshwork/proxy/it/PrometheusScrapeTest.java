package io.meshwork.proxy.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A real Prometheus (the Debian package's {@code /usr/bin/prometheus}, started here with its own
 * config and storage in a temp dir, scraping every second) scrapes the Prometheus endpoints of two
 * proxies while traffic flows through them, and Kiali's queries then return the expected edges.
 * Skipped when Prometheus is not installed, except in CI ({@code CI=true}), where that fails.
 */
class PrometheusScrapeTest {
  static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  static final Duration MAX_WAIT = Duration.ofSeconds(60);

  @Test
  void kialiQueriesReturnTheEdgesOfLiveTraffic() throws Exception {
    if (!Files.isExecutable(PROMETHEUS)) {
      if ("true".equals(System.getenv("CI"))) {
        fail("/usr/bin/prometheus is missing; .ci/run installs the Debian package prometheus");
      }
      Assumptions.abort("/usr/bin/prometheus is not installed (apt-get install prometheus)");
    }
    var dir = Files.createTempDirectory("meshwork-prometheus");
    var running = new AtomicBoolean(true);
    Process prometheus = null;
    try (var mesh = MeshPair.start(null)) {
      int portA = mesh.a.bindPrometheus(new InetSocketAddress("127.0.0.1", 0));
      int portB = mesh.b.bindPrometheus(new InetSocketAddress("127.0.0.1", 0));
      var config = dir.resolve("prometheus.yml");
      Files.writeString(config, """
          global:
            scrape_interval: 1s
            evaluation_interval: 1s
          scrape_configs:
          - job_name: meshwork-proxies
            metrics_path: /stats/prometheus
            static_configs:
            - targets: ["127.0.0.1:%d", "127.0.0.1:%d"]
          """.formatted(portA, portB));
      int webPort = freePort();
      prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
          "--web.listen-address=127.0.0.1:" + webPort, "--log.level=warn")
          .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();

      var traffic = Thread.ofPlatform().name("traffic").start(() -> {
        try (var client = new RawClient(mesh.httpPort())) {
          int i = 0;
          while (running.get()) {
            client.get("reviews:9080", "/reviews/" + i);
            if (i++ % 10 == 0) {
              mesh.tcpRoundTrip("PING");
            }
            Thread.sleep(20);
          }
        } catch (Exception e) {
          if (running.get()) {
            throw new IllegalStateException(e);
          }
        }
      });

      var api = "http://127.0.0.1:" + webPort;
      var edges = query(api, "sum(rate(istio_requests_total{reporter=\"destination\",destination_workload_namespace=\"default\"}[1m]))"
          + " by (source_workload, destination_workload, response_code)",
          r -> r.path("metric").path("source_workload").asText().equals("productpage-v1")
              && r.path("metric").path("destination_workload").asText().equals("reviews-v1")
              && r.path("metric").path("response_code").asText().equals("200") && value(r) > 0, dir);
      assertThat(value(edges)).isPositive();

      var p95 = query(api, "histogram_quantile(0.95, sum(rate(istio_request_duration_milliseconds_bucket{reporter=\"source\"}[1m]))"
          + " by (le, destination_workload))",
          r -> r.path("metric").path("destination_workload").asText().equals("reviews-v1") && value(r) > 0, dir);
      assertThat(value(p95)).isBetween(0.0, 60_000.0);

      var tcp = query(api, "sum(rate(istio_tcp_sent_bytes_total{reporter=\"source\",source_workload_namespace=\"default\"}[1m]))"
          + " by (source_workload, destination_service_name, destination_workload)",
          r -> r.path("metric").path("source_workload").asText().equals("productpage-v1")
              && r.path("metric").path("destination_service_name").asText().equals("redis")
              && r.path("metric").path("destination_workload").asText().equals("redis-v7") && value(r) > 0, dir);
      assertThat(value(tcp)).isPositive();

      var tcpIn = query(api, "sum(rate(istio_tcp_received_bytes_total{reporter=\"destination\"}[1m])) by (destination_workload)",
          r -> r.path("metric").path("destination_workload").asText().equals("reviews-v1") && value(r) > 0, dir);
      assertThat(value(tcpIn)).isPositive();
      running.set(false);
      traffic.join(5000);
    } finally {
      running.set(false);
      if (prometheus != null) {
        prometheus.destroy();
        if (!prometheus.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          prometheus.destroyForcibly().waitFor();
        }
      }
      try (var files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static double value(JsonNode result) {
    return Double.parseDouble(result.path("value").path(1).asText("NaN"));
  }

  /** Polls the instant-query API until a result satisfies {@code wanted}; fails after {@link #MAX_WAIT} with what it saw. */
  static JsonNode query(String api, String promql, Predicate<JsonNode> wanted, Path dir) throws Exception {
    var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    var mapper = new ObjectMapper();
    long deadline = System.nanoTime() + MAX_WAIT.toNanos();
    String last = "(no answer)";
    while (System.nanoTime() < deadline) {
      try {
        var res = http.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/query?query="
            + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        last = res.body();
        if (res.statusCode() == 200) {
          for (var r : mapper.readTree(res.body()).path("data").path("result")) {
            if (wanted.test(r)) {
              return r;
            }
          }
        }
      } catch (java.io.IOException notUpYet) {
        last = notUpYet.toString();
      }
      Thread.sleep(500);
    }
    String targets;
    try {
      targets = http.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/targets")).build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (java.io.IOException e) {
      targets = e.toString();
    }
    var log = Files.exists(dir.resolve("prometheus.log")) ? Files.readString(dir.resolve("prometheus.log")) : "";
    return fail("no expected result for " + promql + " within " + MAX_WAIT.toSeconds() + " s; last answer: " + last
        + "\ntargets: " + targets + "\nprometheus log: " + log);
  }

  static int freePort() throws java.io.IOException {
    try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
