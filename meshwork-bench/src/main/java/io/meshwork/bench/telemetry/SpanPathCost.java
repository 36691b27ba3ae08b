package io.meshwork.bench.telemetry;

import io.meshwork.proxy.config.TracingConfig;
import io.meshwork.proxy.runtime.SnapshotHolder;
import io.meshwork.proxy.stats.Stats;
import io.meshwork.proxy.tracing.HttpSpan;
import io.meshwork.proxy.tracing.Tracer;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * What tracing costs the thread that serves requests, without a network or a load generator: one
 * thread paced like an event loop starts, injects and finishes spans at a fixed rate (the calls
 * {@code Exchange} makes), and the probe prints that thread's CPU and allocation per request, the
 * exporter thread's CPU per request and the process's. Compare 100% with 0% sampling; run it under
 * JFR to see where the time goes. Spans go to a collector in its own JVM ({@link SpanCollector}),
 * so the exporter thread's figures include encoding and the POST (the whole export path), and the
 * exporter's allocation per span is printed too (its garbage is collected in pauses that stop the
 * event loops).
 *
 * <p>Usage: {@code SpanPathCost SAMPLING_PERCENT SPANS_PER_SECOND SECONDS [zipkin|otlp]} (one warm-up
 * pass, then one measured).
 */
public final class SpanPathCost {
  private SpanPathCost() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3 && args.length != 4) {
      System.err.println("usage: SpanPathCost SAMPLING_PERCENT SPANS_PER_SECOND SECONDS [zipkin|otlp]");
      System.exit(2);
    }
    double sampling = Double.parseDouble(args[0]);
    int rate = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    boolean otlp = args.length == 4 && args[3].equals("otlp");
    var stats = new Stats();
    var cfg = new TracingConfig(otlp ? TracingConfig.Provider.OPENTELEMETRY : TracingConfig.Provider.ZIPKIN, "collector",
        otlp ? "/v1/traces" : "/api/v2/spans", null, null, 100, sampling, 100,
        List.of(new TracingConfig.CustomTag("istio.canonical_service", TracingConfig.CustomTag.Kind.LITERAL, "bench", null),
            new TracingConfig.CustomTag("istio.namespace", TracingConfig.CustomTag.Kind.LITERAL, "default", null)), true, 256);
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    var snapshots = new SnapshotHolder(stats);
    try (var collector = SpanCollector.start()) {
      snapshots.update(io.meshwork.proxy.config.ProxyConfigBuilder.fromBootstrap(io.meshwork.xds.bootstrap.BootstrapLoader.parse(
          "span-path.yaml", TelemetryBenchmark.bootstrap(1, collector.port(), otlp ? "otlp" : "zipkin", null)), 1));
      run(snapshots, stats, cfg, sampling, rate, seconds, mx, os);
      System.out.printf(Locale.ROOT, "spans sent %d, dropped %d%n", stats.value((otlp ? "tracing.opentelemetry" : "tracing.zipkin")
          + ".spans_sent"), stats.value((otlp ? "tracing.opentelemetry" : "tracing.zipkin") + ".spans_dropped"));
    }
  }

  private static void run(SnapshotHolder snapshots, Stats stats, TracingConfig cfg, double sampling, int rate, int seconds,
      com.sun.management.ThreadMXBean mx, com.sun.management.OperatingSystemMXBean os) throws Exception {
    var remote = new InetSocketAddress("127.0.0.1", 40000);
    var local = new InetSocketAddress("127.0.0.1", 15001);
    try (var tracer = new Tracer(snapshots, stats)) {
      for (int pass = 0; pass < 2; pass++) {
        long n = (long) rate * seconds;
        long interval = 1_000_000_000L / rate;
        long t0 = System.nanoTime();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long alloc0 = mx.getCurrentThreadAllocatedBytes();
        long proc0 = os.getProcessCpuTime();
        long exp0 = exporterCpu(mx);
        long expAlloc0 = exporterAlloc(mx);
        for (long i = 0; i < n; i++) {
          long wait = t0 + i * interval - System.nanoTime();
          if (wait > 20_000) {
            LockSupport.parkNanos(wait);
          }
          var h = new DefaultHttpHeaders();
          h.add("host", "backend:8080").add("user-agent", "bench/1.0").add("accept", "*/*");
          var span = HttpSpan.start(tracer, cfg, h, System.currentTimeMillis(), System.nanoTime());
          span.inject(new DefaultHttpHeaders());
          span.finish(new HttpSpan.Outcome("bench~127.0.0.1", "6f1c9a0e-1b2c-4d3e-8f90-a1b2c3d4e5f6", "GET", "http",
              "backend:8080", "/bench", "HTTP/1.1", "bench/1.0", 200, "-", false, 0, 64,
              "outbound|8080||backend.default.svc.cluster.local", "127.0.0.1:8080", remote, local), h);
        }
        if (pass == 1) {
          System.out.printf(Locale.ROOT, "sampling %.0f%%, %d spans/s for %d s: event-loop thread %.2f us CPU and %.0f bytes allocated "
                  + "per request; export path (exporter + JDK HTTP client threads) %.2f us CPU and %.0f bytes allocated per request; "
                  + "process %.2f us CPU per request%n",
              sampling, rate, seconds, (mx.getCurrentThreadCpuTime() - cpu0) / 1000.0 / n,
              (mx.getCurrentThreadAllocatedBytes() - alloc0) / (double) n, (exporterCpu(mx) - exp0) / 1000.0 / n,
              (exporterAlloc(mx) - expAlloc0) / (double) n,
              (os.getProcessCpuTime() - proc0) / 1000.0 / n);
        }
      }
    }
  }

  private static boolean exportPath(Thread t) {
    return t.getName().startsWith("meshwork-span-export") || t.getName().startsWith("HttpClient-");
  }

  private static long exporterCpu(java.lang.management.ThreadMXBean mx) {
    long sum = 0;
    for (var t : Thread.getAllStackTraces().keySet()) {
      if (exportPath(t)) {
        sum += Math.max(0, mx.getThreadCpuTime(t.threadId()));
      }
    }
    return sum;
  }

  private static long exporterAlloc(com.sun.management.ThreadMXBean mx) {
    long sum = 0;
    for (var t : Thread.getAllStackTraces().keySet()) {
      if (exportPath(t)) {
        sum += Math.max(0, mx.getThreadAllocatedBytes(t.threadId()));
      }
    }
    return sum;
  }
}
