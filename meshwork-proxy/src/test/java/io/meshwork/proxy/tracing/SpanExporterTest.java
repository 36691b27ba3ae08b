package io.meshwork.proxy.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.meshwork.proxy.stats.Stats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SpanExporterTest {
  static SpanData span(int i) {
    return new SpanData("4bf92f3577b34da6a3ce929d0e0e4736", String.format("%016x", i + 1), null, "op \"" + i + "\"", i % 2 == 0,
        1_700_000_000_000_000L, 1500, "svc.default", "127.0.0.1", "10.0.0.1", 9080,
        Map.of("http.status_code", "200", "note", "line\nbreak"), false, false);
  }

  /** A Zipkin collector on a free loopback port that adds the spans of every report to {@code received}; started. */
  static HttpServer countingZipkinCollector(AtomicInteger received) throws java.io.IOException {
    var mapper = new ObjectMapper();
    var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v2/spans", ex -> {
      received.addAndGet(mapper.readTree(ex.getRequestBody().readAllBytes()).size());
      ex.sendResponseHeaders(202, -1);
      ex.close();
    });
    server.start();
    return server;
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
    var firstArrived = new CountDownLatch(1);
    var release = new CountDownLatch(1);
    var spansReceived = new AtomicInteger();
    var mapper = new ObjectMapper();
    var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
    server.createContext("/api/v2/spans", ex -> {
      spansReceived.addAndGet(mapper.readTree(ex.getRequestBody().readAllBytes()).size());
      firstArrived.countDown();
      try {
        release.await(20, TimeUnit.SECONDS); // a collector that stalls
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ex.sendResponseHeaders(202, -1);
      ex.close();
    });
    server.start();
    var stats = new Stats();
    try (var exporter = new SpanExporter("tracing.zipkin", SpanFormat.ZIPKIN_JSON, "/api/v2/spans",
        server::getAddress, stats, new SpanExporter.Limits(4, 1, Duration.ofMillis(50)))) {
      assertThat(exporter.offer(span(0))).isTrue();
      assertThat(firstArrived.await(10, TimeUnit.SECONDS)).isTrue();
      int accepted = 0;
      long t0 = System.nanoTime();
      for (int i = 1; i <= 10; i++) {
        if (exporter.offer(span(i))) {
          accepted++;
        }
      }
      long elapsedMillis = (System.nanoTime() - t0) / 1_000_000;
      assertThat(accepted).isEqualTo(4);
      assertThat(stats.value("tracing.zipkin.spans_dropped")).isEqualTo(6);
      assertThat(elapsedMillis).as("offer never waits for the stalled collector").isLessThan(5_000);
      release.countDown();
      for (int i = 0; i < 500 && stats.value("tracing.zipkin.spans_sent") < 5; i++) {
        Thread.sleep(10);
      }
      assertThat(stats.value("tracing.zipkin.spans_sent")).isEqualTo(5);
      assertThat(spansReceived.get()).isEqualTo(5);
    } finally {
      release.countDown();
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
  }

  @Test
  void anUnreachableCollectorCountsFailedReportsAndDroppedSpans() throws Exception {
    var stats = new Stats();
    int freePort;
    try (var s = new java.net.ServerSocket(0)) {
      freePort = s.getLocalPort();
    }
    try (var exporter = new SpanExporter("tracing.opentelemetry", SpanFormat.OTLP_PROTOBUF,
        "/v1/traces", () -> new InetSocketAddress("127.0.0.1", freePort), stats, new SpanExporter.Limits(16, 2, Duration.ofMillis(20)))) {
      exporter.offer(span(0));
      exporter.offer(span(1));
      for (int i = 0; i < 500 && stats.value("tracing.opentelemetry.reports_failed") == 0; i++) {
        Thread.sleep(10);
      }
    }
    assertThat(stats.value("tracing.opentelemetry.reports_failed")).isEqualTo(1);
    assertThat(stats.value("tracing.opentelemetry.spans_dropped")).isEqualTo(2);
    assertThat(stats.value("tracing.opentelemetry.spans_sent")).isZero();
  }

  @Test
  void aFullBatchIsSentWithoutWaitingForTheFlushTimer() throws Exception {
    // The exporter sleeps until its flush deadline (here a minute) unless an offer fills a batch:
    // the offer that completes a batch must wake it, or these spans would wait for the timer.
    var received = new AtomicInteger();
    var server = countingZipkinCollector(received);
    var stats = new Stats();
    try (var exporter = new SpanExporter("tracing.zipkin", SpanFormat.ZIPKIN_JSON, "/api/v2/spans",
        server::getAddress, stats, new SpanExporter.Limits(64, 8, Duration.ofMinutes(1)))) {
      for (int i = 0; i < 7; i++) {
        assertThat(exporter.offer(span(i))).isTrue();
      }
      Thread.sleep(200);
      assertThat(received.get()).as("less than a batch waits for the timer").isZero();
      assertThat(exporter.offer(span(7))).isTrue();
      for (int i = 0; i < 2000 && stats.value("tracing.zipkin.reports_sent") < 1; i++) {
        Thread.sleep(10); // the counter moves after the collector's answer
      }
      assertThat(stats.value("tracing.zipkin.reports_sent")).isEqualTo(1);
      assertThat(received.get()).isEqualTo(8);
      assertThat(stats.value("tracing.zipkin.timer_flushed")).isZero();
    } finally {
      server.stop(0);
    }
  }

  @Test
  void queuedSpansAreEncodedLongBeforeTheirReportIsSent() throws Exception {
    // Records leave the queue every drainSpans spans (encoded into the report being built), so they
    // die young; the report itself still waits until it is full or the timer fires.
    var received = new AtomicInteger();
    var server = countingZipkinCollector(received);
    var stats = new Stats();
    try (var exporter = new SpanExporter("tracing.zipkin", SpanFormat.ZIPKIN_JSON, "/api/v2/spans",
        server::getAddress, stats, new SpanExporter.Limits(64, 32, Duration.ofMinutes(1), 4))) {
      for (int i = 0; i < 12; i++) {
        assertThat(exporter.offer(span(i))).isTrue();
      }
      for (int i = 0; i < 2000 && exporter.queued() > 0; i++) {
        Thread.sleep(10);
      }
      assertThat(exporter.queued()).as("drained into the report in groups of 4").isZero();
      Thread.sleep(200);
      assertThat(received.get()).as("a report of 12 of 32 spans waits for the timer").isZero();
      for (int i = 12; i < 32; i++) {
        assertThat(exporter.offer(span(i))).isTrue();
      }
      for (int i = 0; i < 2000 && stats.value("tracing.zipkin.reports_sent") < 1; i++) {
        Thread.sleep(10);
      }
      assertThat(received.get()).isEqualTo(32);
      assertThat(stats.value("tracing.zipkin.timer_flushed")).isZero();
    } finally {
      server.stop(0);
    }
  }

  @Test
  void closeSendsWhatIsQueued() throws Exception {
    var received = new AtomicInteger();
    var server = countingZipkinCollector(received);
    var stats = new Stats();
    try {
      var exporter = new SpanExporter("tracing.zipkin", SpanFormat.ZIPKIN_JSON, "/api/v2/spans",
          server::getAddress, stats, new SpanExporter.Limits(64, 32, Duration.ofMinutes(1)));
      for (int i = 0; i < 3; i++) {
        exporter.offer(span(i));
      }
      exporter.close();
      assertThat(received.get()).isEqualTo(3);
      assertThat(exporter.offer(span(9))).as("a closed exporter drops").isFalse();
      assertThat(stats.value("tracing.zipkin.spans_dropped")).isEqualTo(1);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void zipkinJsonIsValidAndCarriesTheModel() throws Exception {
    var json = new ObjectMapper().readTree(ZipkinJson.encode(List.of(span(0), span(1))));
    assertThat(json.size()).isEqualTo(2);
    var s = json.get(0);
    assertThat(s.get("traceId").asText()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(s.get("id").asText()).isEqualTo("0000000000000001");
    assertThat(s.get("kind").asText()).isEqualTo("CLIENT");
    assertThat(s.get("name").asText()).isEqualTo("op \"0\"");
    assertThat(s.get("timestamp").asLong()).isEqualTo(1_700_000_000_000_000L);
    assertThat(s.get("duration").asLong()).isEqualTo(1500);
    assertThat(s.get("localEndpoint").get("serviceName").asText()).isEqualTo("svc.default");
    assertThat(s.get("remoteEndpoint").get("ipv4").asText()).isEqualTo("10.0.0.1");
    assertThat(s.get("remoteEndpoint").get("port").asInt()).isEqualTo(9080);
    assertThat(s.get("tags").get("note").asText()).isEqualTo("line\nbreak");
    assertThat(s.has("parentId")).isFalse();
    assertThat(json.get(1).get("kind").asText()).isEqualTo("SERVER");
  }
}
