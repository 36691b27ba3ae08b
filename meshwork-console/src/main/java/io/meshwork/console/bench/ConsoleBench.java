package io.meshwork.console.bench;

import com.sun.net.httpserver.HttpServer;
import io.meshwork.console.ConsoleOptions;
import io.meshwork.console.ConsoleServer;
import io.meshwork.console.ingest.OtlpProtoDecoder;
import io.meshwork.console.ingest.ZipkinJsonDecoder;
import io.meshwork.console.trace.TraceStore;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The console benchmark. Three measurements, each with the caps watched rather than assumed:
 * <ol>
 *   <li><b>decode + store</b>: OTLP protobuf bodies decoded and appended on one thread, the store
 *       capped small enough that it evicts all along (the steady state of a full console);</li>
 *   <li><b>OTLP/HTTP end to end</b>: several clients posting 500-span bodies to a running console;</li>
 *   <li><b>graph API</b>: {@code GET /api/namespaces/graph} over HTTP for 100 services and 300
 *       workload edges scraped into the embedded store, latency percentiles.</li>
 * </ol>
 * The store's size is sampled after every batch; the largest value seen is reported next to the cap.
 *
 * <p>Each measurement also reports CPU time next to wall time: spans per CPU-second of the decoding
 * thread, spans per CPU-second of the whole process (server and clients), and CPU milliseconds per
 * graph request. On the shared 2-core machine the wall-clock figures mostly measure how much CPU the
 * other jobs left over (load averages of 20 and more); the CPU figures are what one idle core does.
 */
public final class ConsoleBench {
  /** What was measured. */
  public record Result(double decodeSpansPerSec, double httpSpansPerSec, int clients, long maxTracesSeen, long maxBytesSeen,
      int traceCap, long byteCap, long evictedTraces, double graphP50Ms, double graphP95Ms, double graphMaxMs, int graphNodes,
      int graphEdges, long heapUsedMb, double decodeSpansPerCpuSec, double httpSpansPerCpuSec, double graphCpuMsPerRequest,
      double loadAtStart, double zipkinSpansPerSec, double zipkinSpansPerCpuSec) {

    public boolean capsHeld() {
      return maxTracesSeen <= traceCap && maxBytesSeen <= byteCap;
    }
  }

  private ConsoleBench() {}

  /** Decoding one format on this thread: spans per second of wall and of CPU, and the largest store seen. */
  private record DecodeRun(double rate, double cpuRate, long maxTraces, long maxBytes) {}

  private interface Decoder {
    List<io.meshwork.console.trace.Span> decode(byte[] body) throws java.io.IOException;
  }

  /** A warm-up round, then a measured one: bodies decoded and appended to {@code store} in a loop for {@code seconds}. */
  private static DecodeRun decodeAndStore(String what, List<byte[]> bodies, Decoder decoder, TraceStore store, int seconds,
      PrintStream out) throws java.io.IOException {
    var threadMx = java.lang.management.ManagementFactory.getThreadMXBean();
    DecodeRun run = null;
    long maxTraces = 0;
    long maxBytes = 0;
    for (int round = 0; round < 2; round++) {
      long spans = 0;
      long cpu0 = threadMx.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      long until = t0 + Duration.ofSeconds(Math.max(1, seconds)).toNanos();
      int rep = 0;
      while (System.nanoTime() < until) {
        var batch = decoder.decode(bodies.get(rep++ % bodies.size()));
        store.add(batch);
        spans += batch.size();
        var s = store.stats();
        maxTraces = Math.max(maxTraces, s.traces());
        maxBytes = Math.max(maxBytes, s.bytes());
      }
      double rate = spans / ((System.nanoTime() - t0) / 1e9);
      double cpuRate = spans / ((threadMx.getCurrentThreadCpuTime() - cpu0) / 1e9);
      out.printf(Locale.ROOT, "console bench: %s %s: %,.0f spans/s wall, %,.0f spans per CPU-second (store %s)%n",
          what, round == 0 ? "warm-up" : "measured", rate, cpuRate, store.stats());
      run = new DecodeRun(rate, cpuRate, maxTraces, maxBytes);
    }
    return run;
  }

  public static Result run(int seconds, int clients, PrintStream out) throws Exception {
    double loadAtStart = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    int traceCap = 20_000;
    long byteCap = 64L << 20;
    // 1. decode + store, one thread.
    var store = new TraceStore(traceCap, byteCap);
    var bodies = new ArrayList<byte[]>();
    // 400 bodies x 200 spans = 80,000 distinct traces, four times the trace cap: by the time a body
    // comes round again its traces have been evicted, so every span is new to the store (as in life).
    for (int i = 0; i < 400; i++) {
      bodies.add(OtlpRequests.request("vote", 200, i));
    }
    var otlp = decodeAndStore("decode + store", bodies, OtlpProtoDecoder::decode, store, seconds, out);
    long evicted = store.stats().evictedTraces();

    // 1b. The same with Zipkin v2 JSON, what the mesh's proxies send (the demo's path).
    var zstore = new TraceStore(traceCap, byteCap);
    var zbodies = new ArrayList<byte[]>();
    for (int i = 0; i < 400; i++) {
      zbodies.add(zipkinRequest(200, i));
    }
    var zipkin = decodeAndStore("Zipkin JSON decode + store", zbodies, ZipkinJsonDecoder::decode, zstore, seconds, out);
    evicted += zstore.stats().evictedTraces();
    long maxTraces = Math.max(otlp.maxTraces(), zipkin.maxTraces());
    long maxBytes = Math.max(otlp.maxBytes(), zipkin.maxBytes());
    double decodeRate = otlp.rate();
    double decodeCpuRate = otlp.cpuRate();
    double zipkinRate = zipkin.rate();
    double zipkinCpuRate = zipkin.cpuRate();

    // 2. OTLP/HTTP end to end.
    var d = ConsoleOptions.defaults();
    var opts = new ConsoleOptions("127.0.0.1", 0, 0, -1, -1, traceCap, byteCap, null, List.of(), Duration.ZERO, d.retention(),
        d.maxMetricBytes(), null);
    double httpRate = 0;
    double httpCpuRate = 0;
    try (var console = ConsoleServer.start(opts, Clock.systemUTC())) {
      var uri = URI.create("http://127.0.0.1:" + console.otlpHttpPort() + "/v1/traces");
      var http = HttpClient.newHttpClient();
      var httpBodies = new ArrayList<byte[]>();
      for (int i = 0; i < 200; i++) {
        httpBodies.add(OtlpRequests.request("vote", 500, 1000 + i));
      }
      for (int round = 0; round < 2; round++) {
        var sent = new AtomicLong();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        long until = t0 + Duration.ofSeconds(Math.max(1, seconds)).toNanos();
        var watcher = new java.util.concurrent.atomic.AtomicLongArray(2);
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
          for (int c = 0; c < clients; c++) {
            int start = c;
            threads.submit(() -> {
              int i = start;
              while (System.nanoTime() < until) {
                var r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-protobuf")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(httpBodies.get(i % httpBodies.size()))).build(),
                    HttpResponse.BodyHandlers.discarding());
                i += clients; // each client its own bodies: no span is sent twice within a cycle
                if (r.statusCode() == 200) {
                  sent.addAndGet(500);
                }
                var s = console.traces().stats();
                watcher.accumulateAndGet(0, s.traces(), Math::max);
                watcher.accumulateAndGet(1, s.bytes(), Math::max);
              }
              return null;
            });
          }
        }
        httpRate = sent.get() / ((System.nanoTime() - t0) / 1e9);
        httpCpuRate = sent.get() / ((processCpuNanos() - cpu0) / 1e9);
        maxTraces = Math.max(maxTraces, watcher.get(0));
        maxBytes = Math.max(maxBytes, watcher.get(1));
        out.printf(Locale.ROOT, "console bench: OTLP/HTTP %s: %,.0f spans/s wall, %,.0f spans per process CPU-second (%d clients,"
            + " 500-span requests; store %s)%n", round == 0 ? "warm-up" : "measured", httpRate, httpCpuRate, clients,
            console.traces().stats());
      }
      evicted += console.traces().stats().evictedTraces();
    }

    // 3. Graph API over HTTP, 100 services / 300 edges.
    var graph = graphLatency(out);
    System.gc();
    long heap = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
    var r = new Result(decodeRate, httpRate, clients, maxTraces, maxBytes, traceCap, byteCap, evicted, graph[0], graph[1], graph[2],
        (int) graph[3], (int) graph[4], heap, decodeCpuRate, httpCpuRate, graph[5], loadAtStart, zipkinRate, zipkinCpuRate);
    out.printf(Locale.ROOT, "console bench: store caps %s (largest seen: %,d traces of %,d, %,d bytes of %,d)%n",
        r.capsHeld() ? "held" : "EXCEEDED", maxTraces, traceCap, maxBytes, byteCap);
    return r;
  }

  /** A Zipkin v2 JSON body of server spans shaped like our proxies' (one trace each, as in the OTLP bodies). */
  private static byte[] zipkinRequest(int spans, long seed) {
    var sb = new StringBuilder("[");
    for (int i = 0; i < spans; i++) {
      long id = seed * 1_000_003L + i + 1;
      sb.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, """
          {"traceId":"%032x","id":"%016x","name":"vote.default.svc.cluster.local:8080/*","kind":"SERVER",\
          "timestamp":%d,"duration":5000,"localEndpoint":{"serviceName":"vote.default","ipv4":"127.0.1.2"},\
          "tags":{"component":"proxy","http.method":"POST","http.url":"http://127.0.1.1:8080/","http.status_code":"200",\
          "upstream_cluster":"inbound|8080||","response_flags":"-","istio.namespace":"default"}}""", id, id,
          1_700_000_000_000_000L + id));
    }
    return sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Everything this JVM's threads have run, in nanoseconds (clients included). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** p50, p95, max (ms), nodes, edges, process CPU ms per request of 200 graph requests. */
  private static double[] graphLatency(PrintStream out) throws Exception {
    var clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
    HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    var scale = new double[] {1};
    target.createContext("/stats/prometheus", h -> {
      byte[] body = exposition(scale[0]).getBytes(StandardCharsets.UTF_8);
      h.sendResponseHeaders(200, body.length);
      h.getResponseBody().write(body);
      h.close();
    });
    target.start();
    try {
      var d = ConsoleOptions.defaults();
      var opts = new ConsoleOptions("127.0.0.1", 0, -1, -1, -1, 1000, 16L << 20, null,
          List.of(URI.create("http://127.0.0.1:" + target.getAddress().getPort() + "/stats/prometheus")), Duration.ZERO, d.retention(),
          d.maxMetricBytes(), null);
      try (var console = ConsoleServer.start(opts, clock)) {
        for (int t = 0; t <= 12; t++) {
          scale[0] = 1 + t * 50;
          clock.now = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(t * 5L);
          console.metrics().scraper().scrapeOnce();
        }
        var http = HttpClient.newHttpClient();
        var uri = URI.create("http://127.0.0.1:" + console.uiPort() + "/api/namespaces/graph?namespaces=default&graphType=workload&duration=60"
            + "&injectServiceNodes=true");
        var times = new double[200];
        String last = "";
        long cpu0 = 0;
        // 200 warm-up requests (the JIT compiles the graph code meanwhile) and a GC of what the
        // ingest measurements left behind, so the CPU figure is the steady state of a console that
        // serves the graph every few seconds, not compilation or old collections.
        for (int i = -200; i < times.length; i++) {
          if (i == 0) {
            System.gc();
            cpu0 = processCpuNanos();
          }
          long t0 = System.nanoTime();
          var r = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
          if (i >= 0) {
            times[i] = (System.nanoTime() - t0) / 1e6;
          }
          last = r.body();
        }
        double cpuMs = (processCpuNanos() - cpu0) / 1e6 / times.length;
        Arrays.sort(times);
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(last);
        int nodes = tree.path("elements").path("nodes").size();
        int edges = tree.path("elements").path("edges").size();
        out.printf(Locale.ROOT, "console bench: graph API (%d nodes, %d edges) p50 %.1f ms, p95 %.1f ms, max %.1f ms over %d requests;"
            + " %.1f ms of process CPU per request%n", nodes, edges, times[99], times[189], times[199], times.length, cpuMs);
        return new double[] {times[99], times[189], times[199], nodes, edges, cpuMs};
      }
    } finally {
      target.stop(0);
    }
  }

  /** 100 services, each calling the next three: 300 workload edges, as Istio labels them. */
  private static String exposition(double value) {
    var sb = new StringBuilder("# TYPE istio_requests_total counter\n");
    for (int s = 0; s < 100; s++) {
      for (int k = 1; k <= 3; k++) {
        int dst = (s + k) % 100;
        sb.append("istio_requests_total{reporter=\"destination\",source_workload=\"svc").append(s).append("-v1\",source_workload_namespace=\"default\"")
            .append(",source_canonical_service=\"svc").append(s).append("\",source_canonical_revision=\"v1\",source_app=\"svc").append(s)
            .append("\",source_version=\"v1\",destination_workload=\"svc").append(dst).append("-v1\",destination_workload_namespace=\"default\"")
            .append(",destination_service_name=\"svc").append(dst).append("\",destination_service_namespace=\"default\",destination_service=\"svc")
            .append(dst).append(".default.svc.cluster.local\",destination_canonical_service=\"svc").append(dst)
            .append("\",destination_canonical_revision=\"v1\",destination_app=\"svc").append(dst).append("\",destination_version=\"v1\"")
            .append(",request_protocol=\"http\",response_code=\"200\",grpc_response_status=\"\",response_flags=\"-\"")
            .append(",connection_security_policy=\"mutual_tls\"} ").append(value * (1 + (s + k) % 7)).append('\n');
      }
    }
    return sb.toString();
  }

  /** Markdown for {@code docs/benchmarks.md}. */
  public static String markdown(Result r, String machine, String load, String date, String command) {
    return String.format(Locale.ROOT, """
        ## Console: trace ingest and graph API

        `%s` on %s, %s (load average %.2f at the start, %s at the end). Targets: ingest ≥ 50,000 spans/s with memory
        bounded, graph API < 200 ms for 100 services / 300 edges, the store never past its cap.

        | measurement | wall clock | CPU |
        |---|---|---|
        | OTLP protobuf decode + store append, one thread, store at its cap | %,.0f spans/s | %,.0f spans per CPU-second |
        | Zipkin v2 JSON decode + store append, one thread, store at its cap | %,.0f spans/s | %,.0f spans per CPU-second |
        | OTLP/HTTP end to end, %d clients on the same machine, 500-span requests | %,.0f spans/s | %,.0f spans per CPU-second of the process (clients included) |
        | trace store cap (%,d traces / %d MiB): largest seen | %,d traces / %.1f MiB (%s; %,d traces evicted) | |
        | graph API, %d nodes / %d edges (workload graph with service nodes), 200 requests | p50 %.1f ms, p95 %.1f ms, max %.1f ms | %.1f ms of process CPU per request |
        | heap used after the run | %d MiB | |

        The decode figure is the console's own cost per span; the end-to-end figure includes the HTTP clients, which run on the same cores.
        Wall-clock figures depend on the CPU the machine's other jobs leave; the CPU columns much less (contention still costs caches).
        """, command, machine, date, r.loadAtStart(), load, r.decodeSpansPerSec(), r.decodeSpansPerCpuSec(),
        r.zipkinSpansPerSec(), r.zipkinSpansPerCpuSec(), r.clients(),
        r.httpSpansPerSec(), r.httpSpansPerCpuSec(), r.traceCap(), r.byteCap() >> 20, r.maxTracesSeen(), r.maxBytesSeen() / 1048576.0,
        r.capsHeld() ? "held" : "EXCEEDED", r.evictedTraces(), r.graphNodes(), r.graphEdges(), r.graphP50Ms(), r.graphP95Ms(),
        r.graphMaxMs(), r.graphCpuMsPerRequest(), r.heapUsedMb());
  }

  /** A clock the graph measurement moves by hand, so scrapes are 5 s apart without waiting. */
  private static final class SettableClock extends Clock {
    volatile Instant now;

    SettableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
