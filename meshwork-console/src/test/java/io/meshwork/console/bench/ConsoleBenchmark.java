package io.meshwork.console.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.console.graph.GraphBuilder;
import io.meshwork.console.graph.GraphType;
import io.meshwork.console.ingest.OtlpProtoDecoder;
import io.meshwork.console.ingest.OtlpProtoWriter;
import io.meshwork.console.metrics.EmbeddedBackend;
import io.meshwork.console.metrics.SeriesStore;
import io.meshwork.console.trace.TraceStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Not part of the default test run (the name does not end in Test): run with
 * {@code ./mvnw -pl meshwork-console test -Dtest=ConsoleBenchmark}. Prints trace ingest spans/s
 * (OTLP protobuf decode + store append, store capped) and graph build time for 100 services and
 * 300 edges; asserts only that the store stayed under its caps.
 */
class ConsoleBenchmark {
  @Test
  void traceIngestSpansPerSecond() throws Exception {
    var store = new TraceStore(20_000, 64L << 20);
    var bodies = new ArrayList<byte[]>();
    for (int i = 0; i < 50; i++) {
      bodies.add(OtlpProtoWriter.request("vote", 200, i));
    }
    long spans = 0;
    for (int round = 0; round < 2; round++) {
      long t0 = System.nanoTime();
      spans = 0;
      for (int rep = 0; rep < 40; rep++) {
        for (byte[] b : bodies) {
          var batch = OtlpProtoDecoder.decode(b);
          store.add(batch);
          spans += batch.size();
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf("console bench: trace ingest %s %,d spans in %.2f s = %,.0f spans/s (store %s)%n",
          round == 0 ? "warm-up" : "measured", spans, secs, spans / secs, store.stats());
    }
    assertThat(store.stats().traces()).isLessThanOrEqualTo(20_000);
    assertThat(store.stats().bytes()).isLessThanOrEqualTo(64L << 20);
  }

  @Test
  void otlpHttpIngestSpansPerSecond() throws Exception {
    var d = io.meshwork.console.ConsoleOptions.defaults();
    var opts = new io.meshwork.console.ConsoleOptions("127.0.0.1", 0, 0, -1, -1, 20_000, 64L << 20, null, List.of(),
        Duration.ZERO, d.retention(), d.maxMetricBytes(), null);
    try (var console = io.meshwork.console.ConsoleServer.start(opts, java.time.Clock.systemUTC())) {
      var uri = java.net.URI.create("http://127.0.0.1:" + console.otlpHttpPort() + "/v1/traces");
      var http = java.net.http.HttpClient.newHttpClient();
      var bodies = new ArrayList<byte[]>();
      for (int i = 0; i < 20; i++) {
        bodies.add(OtlpProtoWriter.request("vote", 500, i));
      }
      for (int round = 0; round < 2; round++) {
        long t0 = System.nanoTime();
        var sent = new java.util.concurrent.atomic.AtomicLong();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
          for (int c = 0; c < 4; c++) {
            threads.submit(() -> {
              for (int rep = 0; rep < 5; rep++) {
                for (byte[] b : bodies) {
                  var r = http.send(java.net.http.HttpRequest.newBuilder(uri).header("Content-Type", "application/x-protobuf")
                      .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(b)).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
                  if (r.statusCode() == 200) {
                    sent.addAndGet(500);
                  }
                }
              }
              return null;
            });
          }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("console bench: OTLP/HTTP ingest %s %,d spans in %.2f s = %,.0f spans/s (4 clients, 500-span requests)%n",
            round == 0 ? "warm-up" : "measured", sent.get(), secs, sent.get() / secs);
      }
      assertThat(console.traces().stats().bytes()).isLessThanOrEqualTo(64L << 20);
      assertThat(console.traces().stats().receivedSpans()).isEqualTo(400_000);
    }
  }

  @Test
  void graphFor100ServicesAnd300Edges() {
    var store = new SeriesStore(Duration.ofHours(1), 512L << 20);
    for (int s = 0; s < 100; s++) {
      for (int k = 1; k <= 3; k++) {
        int d = (s + k) % 100;
        var l = new TreeMap<String, String>();
        l.put("reporter", "destination");
        l.put("source_workload", "svc" + s + "-v1");
        l.put("source_workload_namespace", "default");
        l.put("source_canonical_service", "svc" + s);
        l.put("source_canonical_revision", "v1");
        l.put("destination_workload", "svc" + d + "-v1");
        l.put("destination_workload_namespace", "default");
        l.put("destination_service_name", "svc" + d);
        l.put("destination_service_namespace", "default");
        l.put("destination_service", "svc" + d + ".default.svc.cluster.local");
        l.put("destination_canonical_service", "svc" + d);
        l.put("destination_canonical_revision", "v1");
        l.put("request_protocol", "http");
        l.put("response_code", "200");
        l.put("response_flags", "-");
        l.put("connection_security_policy", "mutual_tls");
        for (int t = 0; t <= 120; t++) {
          store.add("istio_requests_total", Map.copyOf(l), t * 5_000L, t * 50.0);
        }
      }
    }
    var builder = new GraphBuilder(new EmbeddedBackend(store));
    Map<String, Object> g = null;
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      long t0 = System.nanoTime();
      g = builder.build(List.of("default"), GraphType.WORKLOAD, Duration.ofMinutes(10), true, Instant.ofEpochMilli(600_000));
      best = Math.min(best, System.nanoTime() - t0);
    }
    @SuppressWarnings("unchecked")
    var edges = (List<Object>) ((Map<String, Object>) g.get("elements")).get("edges");
    System.out.printf("console bench: graph of 100 services / 300 workload edges (%d edges with service nodes) built in %.1f ms (best of 10), store %s%n",
        edges.size(), best / 1e6, store.stats());
    assertThat(edges).hasSize(400);
  }
}
