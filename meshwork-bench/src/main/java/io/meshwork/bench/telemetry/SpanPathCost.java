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
 * JFR to see where the time goes. The tracer has no collector (its cluster is not in any snapshot),
 * so spans are converted and then dropped as {@code reports_skipped_no_cluster}; encoding and the
 * POST are not included.
 *
 * <p>Usage: {@code SpanPathCost SAMPLING_PERCENT SPANS_PER_SECOND SECONDS} (one warm-up pass, then one measured).
 */
public final class SpanPathCost {
  private SpanPathCost() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: SpanPathCost SAMPLING_PERCENT SPANS_PER_SECOND SECONDS");
      System.exit(2);
    }
    double sampling = Double.parseDouble(args[0]);
    int rate = Integer.parseInt(args[1]);
    int seconds = Integer.parseInt(args[2]);
    var stats = new Stats();
    var cfg = new TracingConfig(TracingConfig.Provider.ZIPKIN, "collector", "/api/v2/spans", null, null, 100, sampling, 100,
        List.of(new TracingConfig.CustomTag("istio.canonical_service", TracingConfig.CustomTag.Kind.LITERAL, "bench", null),
            new TracingConfig.CustomTag("istio.namespace", TracingConfig.CustomTag.Kind.LITERAL, "default", null)), true, 256);
    var remote = new InetSocketAddress("127.0.0.1", 40000);
    var local = new InetSocketAddress("127.0.0.1", 15001);
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (var tracer = new Tracer(new SnapshotHolder(stats), stats)) {
      for (int pass = 0; pass < 2; pass++) {
        long n = (long) rate * seconds;
        long interval = 1_000_000_000L / rate;
        long t0 = System.nanoTime();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long alloc0 = mx.getCurrentThreadAllocatedBytes();
        long proc0 = os.getProcessCpuTime();
        long exp0 = exporterCpu(mx);
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
                  + "per request; exporter thread %.2f us CPU per request; process %.2f us CPU per request%n",
              sampling, rate, seconds, (mx.getCurrentThreadCpuTime() - cpu0) / 1000.0 / n,
              (mx.getCurrentThreadAllocatedBytes() - alloc0) / (double) n, (exporterCpu(mx) - exp0) / 1000.0 / n,
              (os.getProcessCpuTime() - proc0) / 1000.0 / n);
        }
      }
    }
  }

  private static long exporterCpu(java.lang.management.ThreadMXBean mx) {
    long sum = 0;
    for (var t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("meshwork-span-export")) {
        sum += mx.getThreadCpuTime(t.threadId());
      }
    }
    return sum;
  }
}
