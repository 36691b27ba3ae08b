package io.meshwork.console.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.meshwork.console.graph.FakeProxy;
import io.meshwork.console.graph.GraphBuilder;
import io.meshwork.console.graph.GraphType;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code meshwork console --prometheus URL} against a real Prometheus (the Debian package's
 * {@code /usr/bin/prometheus}) that scrapes a proxy's Istio metrics: the graph queries are Kiali's
 * PromQL, so this shows that a real Prometheus accepts them and that their answers become the
 * edges the embedded scraper would show. The fake Prometheus of {@link PrometheusBackendTest} only
 * checks the query text.
 */
@Timeout(120)
class RealPrometheusGraphTest {
  static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

  @Test
  void theGraphOverARealPrometheusShowsTheScrapedEdges() throws Exception {
    if (!Files.isExecutable(PROMETHEUS)) {
      if ("true".equals(System.getenv("CI"))) {
        fail("/usr/bin/prometheus is missing; .ci/run installs the Debian package prometheus");
      }
      Assumptions.abort("/usr/bin/prometheus is not installed (apt-get install prometheus)");
    }
    var dir = Files.createTempDirectory("meshwork-console-prometheus");
    var running = new AtomicBoolean(true);
    Process prometheus = null;
    try (var proxy = FakeProxy.votingApp()) {
      // Counters move in real time, so Prometheus's rate() over its samples is the fixture's rate.
      var clock = Thread.ofPlatform().daemon().start(() -> {
        while (running.get()) {
          proxy.advance(0.1);
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            return;
          }
        }
      });
      var target = proxy.target();
      var config = dir.resolve("prometheus.yml");
      Files.writeString(config, """
          global:
            scrape_interval: 1s
            evaluation_interval: 1s
          scrape_configs:
          - job_name: meshwork-proxies
            metrics_path: %s
            static_configs:
            - targets: ["127.0.0.1:%d"]
          """.formatted(target.getPath(), target.getPort()));
      int webPort;
      try (var s = new ServerSocket(0)) {
        webPort = s.getLocalPort();
      }
      prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
          "--web.listen-address=127.0.0.1:" + webPort, "--log.level=warn")
          .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
      var backend = new PrometheusBackend(URI.create("http://127.0.0.1:" + webPort));
      String graph = "";
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < deadline) {
        try {
          graph = new GraphBuilder(backend).build(List.of("default"), GraphType.WORKLOAD, Duration.ofMinutes(1), false, Instant.now())
              .toString();
          if (graph.contains("target=wl:default:vote-v1") && graph.contains("target=wl:default:redis")) {
            break;
          }
        } catch (RuntimeException notYet) {
          graph = notYet.getMessage(); // Prometheus still starting
        }
        Thread.sleep(500);
      }
      running.set(false);
      clock.join();
      var log = Files.exists(dir.resolve("prometheus.log")) ? Files.readString(dir.resolve("prometheus.log")) : "";
      assertThat(graph).as("graph over the real Prometheus; its log:\n" + log)
          .contains("source=wl:istio-system:istio-ingressgateway, target=wl:default:vote-v1")
          .contains("source=wl:default:vote-v1, target=wl:default:redis");
    } finally {
      running.set(false);
      if (prometheus != null) {
        prometheus.destroy();
        if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
          prometheus.destroyForcibly().waitFor();
        }
      }
    }
  }
}
