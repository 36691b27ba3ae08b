package io.meshwork.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshwork.console.graph.FakeProxy;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole console: restart with a data directory, the scheduled scraper, port conflicts. */
class ConsoleServerTest {
  @Test
  void tracesSurviveARestartWithADataDirectory(@TempDir Path dir) throws Exception {
    var opts = ConsoleOptions.defaults().ephemeral().withDataDir(dir);
    String span = "[{\"traceId\":\"a1b2c3d4e5f60718\",\"id\":\"a1b2c3d4e5f60718\",\"name\":\"get /\",\"timestamp\":1700000000000000,"
        + "\"duration\":1500,\"localEndpoint\":{\"serviceName\":\"result\"}}]";
    try (var console = ConsoleServer.start(opts, Clock.systemUTC())) {
      var r = TestHttp.post("http://127.0.0.1:" + console.zipkinPort() + "/api/v2/spans", "application/json", span.getBytes(StandardCharsets.UTF_8));
      assertThat(r.statusCode()).isEqualTo(202);
    }
    try (var console = ConsoleServer.start(opts, Clock.systemUTC())) {
      JsonNode t = TestHttp.json("http://127.0.0.1:" + console.uiPort() + "/api/traces/a1b2c3d4e5f60718");
      assertThat(t.path("data").get(0).path("spans").get(0).path("duration").asLong()).isEqualTo(1500);
      assertThat(TestHttp.json("http://127.0.0.1:" + console.uiPort() + "/api/services").path("data").get(0).asText()).isEqualTo("result");
    }
  }

  @Test
  void theScheduledScraperFillsTheStoreAndReportsDeadTargets() throws Exception {
    try (var proxy = FakeProxy.votingApp()) {
      var d = ConsoleOptions.defaults();
      var opts = new ConsoleOptions("127.0.0.1", 0, -1, -1, -1, d.maxTraces(), d.maxTraceBytes(), null,
          List.of(proxy.target(), URI.create("http://127.0.0.1:1/stats/prometheus")), Duration.ofMillis(100), d.retention(), d.maxMetricBytes(), null);
      try (var console = ConsoleServer.start(opts, Clock.systemUTC())) {
        String stats = "http://127.0.0.1:" + console.uiPort() + "/api/console/stats";
        long deadline = System.currentTimeMillis() + 10_000;
        String namespaces = "http://127.0.0.1:" + console.uiPort() + "/api/namespaces";
        // Counters must move between two scrapes before any rate (and so any namespace) shows.
        while (TestHttp.json(namespaces).isEmpty() && System.currentTimeMillis() < deadline) {
          Thread.sleep(100);
          proxy.advance(1);
        }
        JsonNode s = TestHttp.json(stats);
        assertThat(s.path("metrics").path("store").path("series").asInt()).isGreaterThan(20);
        assertThat(s.path("metrics").path("store").path("samples").asLong()).isGreaterThanOrEqualTo(60);
        assertThat(s.path("metrics").path("scrapeErrors").asText()).contains("127.0.0.1:1");
        JsonNode ns = TestHttp.json(namespaces);
        assertThat(ns).extracting(n -> n.path("name").asText()).contains("default", "istio-system").doesNotContain("unknown");
      }
    }
  }

  @Test
  void aPortInUseFailsWithOneSentenceNamingIt() throws Exception {
    try (var taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      var d = ConsoleOptions.defaults();
      var opts = new ConsoleOptions("127.0.0.1", taken.getLocalPort(), -1, -1, -1, d.maxTraces(), d.maxTraceBytes(), null,
          List.of(), d.scrapeInterval(), d.retention(), d.maxMetricBytes(), null);
      assertThatThrownBy(() -> ConsoleServer.start(opts, Clock.systemUTC()))
          .hasMessage("cannot listen for console UI/API on port " + taken.getLocalPort() + ": it is in use; free it or choose another port");
    }
  }
}
