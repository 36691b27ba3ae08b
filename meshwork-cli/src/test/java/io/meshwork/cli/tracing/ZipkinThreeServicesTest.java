package io.meshwork.cli.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real Zipkin server ({@code io.zipkin:zipkin-server} exec jar from Maven Central, copied to
 * {@code target/zipkin} by the build and started with {@code java -jar} on a loopback port, in-memory
 * storage) receives the spans of one request through three services, each an app behind its own
 * sidecar proxy: frontend → middle → backend. Zipkin's own API then returns one trace of five
 * spans (a SERVER span per inbound proxy, a CLIENT span per outbound proxy) whose parent links
 * follow the hops, under the three service names.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ZipkinThreeServicesTest {
  static Process zipkin;
  static int zipkinPort;
  static Path zipkinLog;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startZipkin() throws Exception {
    var jar = Path.of("target/zipkin/zipkin-server-exec.jar");
    assertThat(jar).as("the build copies the Zipkin server jar (maven-dependency-plugin, process-test-resources)").exists();
    try (var s = new ServerSocket(0)) {
      zipkinPort = s.getLocalPort();
    }
    zipkinLog = Files.createTempFile("zipkin", ".log");
    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
        "--server.port=" + zipkinPort, "--server.address=127.0.0.1")
        .redirectErrorStream(true).redirectOutput(zipkinLog.toFile());
    pb.environment().put("QUERY_PORT", Integer.toString(zipkinPort));
    pb.environment().put("STORAGE_TYPE", "mem");
    pb.environment().put("COLLECTOR_SCRIBE_ENABLED", "false");
    zipkin = pb.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(zipkin.isAlive()).as("zipkin exited early:\n" + Files.readString(zipkinLog)).isTrue();
      try {
        var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + zipkinPort + "/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException e) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("zipkin did not become healthy within 150 s:\n" + Files.readString(zipkinLog));
  }

  @AfterAll
  static void stopZipkin() throws Exception {
    if (zipkin != null) {
      zipkin.destroy();
      if (!zipkin.waitFor(10, TimeUnit.SECONDS)) {
        zipkin.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void oneRequestThroughThreeServicesIsOneTraceWithCorrectLinks() throws Exception {
    try (var backend = new TracedService("backend", -1, "zipkin", zipkinPort, 100);
        var middle = new TracedService("middle", backend.inboundPort(), "zipkin", zipkinPort, 100);
        var frontend = new TracedService("frontend", middle.inboundPort(), "zipkin", zipkinPort, 100)) {
      var res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + frontend.inboundPort() + "/api/items"))
          .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.body()).isEqualTo("frontend>middle>backend");
      var traceId = res.headers().firstValue("x-seen-trace-id").orElseThrow();
      assertThat(traceId).matches("[0-9a-f]{32}");

      JsonNode trace = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + zipkinPort + "/api/v2/trace/" + traceId))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          trace = new ObjectMapper().readTree(r.body());
          if (trace.size() >= 5) {
            break;
          }
        }
        Thread.sleep(250);
      }
      assertThat(trace).as("zipkin has the trace").isNotNull();
      assertThat(trace.size()).as(trace.toPrettyString()).isEqualTo(5);

      Map<String, JsonNode> byKey = new HashMap<>();
      Map<String, JsonNode> byId = new HashMap<>();
      for (var s : trace) {
        assertThat(s.path("traceId").asText()).isEqualTo(traceId);
        byKey.put(s.path("localEndpoint").path("serviceName").asText() + "/" + s.path("kind").asText(), s);
        byId.put(s.path("id").asText(), s);
      }
      assertThat(byKey).containsOnlyKeys("frontend/SERVER", "frontend/CLIENT", "middle/SERVER", "middle/CLIENT", "backend/SERVER");
      assertThat(byKey.get("frontend/SERVER").has("parentId")).as("the first proxy starts the trace").isFalse();
      assertThat(parent(byKey.get("frontend/CLIENT"))).isEqualTo(byKey.get("frontend/SERVER").path("id").asText());
      assertThat(parent(byKey.get("middle/SERVER"))).isEqualTo(byKey.get("frontend/CLIENT").path("id").asText());
      assertThat(parent(byKey.get("middle/CLIENT"))).isEqualTo(byKey.get("middle/SERVER").path("id").asText());
      assertThat(parent(byKey.get("backend/SERVER"))).isEqualTo(byKey.get("middle/CLIENT").path("id").asText());
      assertThat(byKey.get("middle/CLIENT").path("name").asText()).isEqualTo("next.default.svc.cluster.local:9080/*");
      assertThat(byKey.get("frontend/SERVER").path("tags").path("http.url").asText())
          .isEqualTo("http://127.0.0.1:" + frontend.inboundPort() + "/api/items");
      assertThat(byKey.get("backend/SERVER").path("tags").path("istio.canonical_service").asText()).isEqualTo("backend");

      // Zipkin's service index and dependency links agree.
      var services = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + zipkinPort + "/api/v2/services")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertThat(services).contains("\"frontend\"", "\"middle\"", "\"backend\"");
      for (var svc : new TracedService[] {frontend, middle, backend}) {
        assertThat(svc.stat("tracing.zipkin.spans_dropped")).as(svc.name).isZero();
      }
    }
  }

  private static String parent(JsonNode span) {
    return span.path("parentId").asText();
  }
}
