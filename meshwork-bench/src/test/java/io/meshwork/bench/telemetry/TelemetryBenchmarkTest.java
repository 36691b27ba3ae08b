package io.meshwork.bench.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the telemetry benchmark at a low rate for a fraction of a second per phase, in both modes
 * (proxy in this JVM, proxy in a JVM of its own): every scenario is measured, spans reach the
 * collector only when sampled, an alternating run exports the requests of its "on" windows only, and
 * the report carries the rows, the CPU figure and a verdict. No figure is judged here (that belongs to
 * a run on a quiet machine); the estimator is checked on synthetic windows.
 */
@Timeout(300)
class TelemetryBenchmarkTest {
  @Test
  void everyScenarioIsMeasuredAndOnlySampledSpansAreExported() throws Exception {
    for (var provider : new String[] {"zipkin", "otlp"}) {
      // Zipkin with the proxy in this JVM and an alternating run; OTLP with each proxy in a JVM of its own (slower to start).
      boolean zipkin = provider.equals("zipkin");
      int alternating = zipkin ? 1 : 0;
      var o = new TelemetryBenchmark.Options(provider, 200, 300, 1500, 2, 1, alternating, 600, 200, 4, !zipkin);
      var log = new ByteArrayOutputStream();
      var run = TelemetryBenchmark.run(o, new PrintStream(log, true, StandardCharsets.UTF_8));
      var results = run.results();
      assertThat(results).extracting(r -> r.scenario().name())
          .containsExactly("metrics off, tracing off", "tracing off", "tracing 0%", "tracing 1%", "tracing 100%");
      for (var r : results) {
        // On a loaded machine a phase may measure few requests, but not none in 1.5 s.
        assertThat(r.requests()).as(r.scenario().name()).isPositive();
        if (r.fixedRate().requests() > 0) {
          assertThat(r.cpuMicrosPerRequest()).as(r.scenario().name()).isPositive();
        }
      }
      var byName = results.stream().collect(java.util.stream.Collectors.toMap(r -> r.scenario().name(), r -> r));
      for (var name : new String[] {"metrics off, tracing off", "tracing off", "tracing 0%"}) {
        assertThat(byName.get(name).spansSent() + byName.get(name).spansDropped()).as(name).isZero();
      }
      var full = byName.get("tracing 100%");
      // The proxy is closed before its counters are read, and closing sends what is queued; a span
      // the exporter could not send in time (a starved machine) is counted as dropped, never lost.
      assertThat(full.spansSent()).as(provider + ": spans reach the collector").isPositive();
      assertThat(full.spansSent() + full.spansDropped()).as(provider + ": every request of both phases is a span")
          .isGreaterThanOrEqualTo(full.requests());
      assertThat(full.roundP99s()).hasSize(1);
      var report = TelemetryBenchmark.report(run, o);
      assertThat(report).contains("| tracing 100% |", "CPU µs per request", "against 0%");
      if (zipkin) {
        assertThat(run.alternated()).hasSize(1);
        var alt = run.alternated().getFirst();
        // The alternating phase runs windows x window-ms (2.4 s), so all 4 windows are whole and recorded.
        assertThat(alt.windows()).hasSize(4);
        assertThat(alt.windows()).allSatisfy(w -> assertThat(w.getTotalCount()).isPositive());
        // One window of each pair sends x-b3-sampled: 1 (and the warm-up's may): about half the
        // measured requests become spans, and not every request does.
        long spans = alt.spansSent() + alt.spansDropped();
        assertThat(spans).as("spans of the on windows").isPositive().isLessThan(alt.fixedRate().requests());
        assertThat(run.effect().pairs()).isEqualTo(2);
        assertThat(run.effect().pooled().low()).isLessThanOrEqualTo(run.effect().pooled().high());
        assertThat(report).contains("alternating runs, 2 window pairs", "Target at most +10%");
        // The in-process proxy's windows are probed for CPU, allocation and pauses, two of each variant.
        for (var f : java.util.List.of(alt.off(), alt.on())) {
          assertThat(f.windows()).isEqualTo(2);
          assertThat(f.cpuMillis()).isPositive();
          assertThat(f.allocatedMegabytes()).isPositive();
          assertThat(f.pauses()).isGreaterThanOrEqualTo(0);
          assertThat(f.threadCpuMillis()).containsKey(WindowProbe.NON_JAVA);
        }
        // The "on" windows' exporter thread encoded and sent spans; its CPU is listed by its name.
        assertThat(alt.on().threadCpuMillis()).containsKey("meshwork-span-export");
        assertThat(alt.probed()).hasSize(4).allSatisfy(w -> assertThat(w.cpuMillis()).isPositive());
        assertThat(report).contains("Per window (600 ms, settle time included), off / on, averaged: proxy process CPU",
            "CPU on minus off by thread group:");
      } else {
        assertThat(run.effect()).isNull();
        assertThat(report).contains("No alternating run");
      }
    }
  }

  @Test
  void threadsOfOnePoolAddUpUnderOneName() {
    assertThat(WindowProbe.group("multiThreadIoEventLoopGroup-3-1")).isEqualTo("multiThreadIoEventLoopGroup");
    assertThat(WindowProbe.group("meshwork-span-export")).isEqualTo("meshwork-span-export");
    assertThat(WindowProbe.group("ForkJoinPool.commonPool-worker-12")).isEqualTo("ForkJoinPool.commonPool-worker");
  }

  @Test
  void slowWindowsAreListedWithTheirVariantAndP99() {
    // Pairs 0-3; pair 2's "on" window has a p99 of about 5 ms against 1 ms elsewhere.
    var a = run(1000, 1000, 1000, 5000, 1000);
    int slow = io.meshwork.bench.load.Alternation.on(0, 4) ? 4 : 5;
    assertThat(TelemetryBenchmark.slowWindows(a)).startsWith("#" + slow + " on 4.9").doesNotContain(";");
    assertThat(TelemetryBenchmark.slowWindows(run(1000, 1000, 1000))).isEmpty();
  }

  /** A window whose latencies are 1,000 values spread evenly up to {@code maxMicros}. */
  private static org.HdrHistogram.Histogram window(double maxMicros) {
    var h = new org.HdrHistogram.Histogram(java.util.concurrent.TimeUnit.SECONDS.toNanos(120), 2);
    for (int i = 1; i <= 1000; i++) {
      h.recordValue((long) (maxMicros * 1000 * i / 1000));
    }
    return h;
  }

  /** An alternating run of off/on pairs, in the order the load generator uses. */
  private static TelemetryBenchmark.Alternated run(double offMicros, double... onMicros) {
    var windows = new java.util.ArrayList<org.HdrHistogram.Histogram>();
    for (int w = 0; w < 2 * onMicros.length; w++) {
      windows.add(window(io.meshwork.bench.load.Alternation.on(0, w) ? onMicros[w / 2] : offMicros));
    }
    var stats = io.meshwork.bench.load.LatencyStats.EMPTY;
    var phase = new io.meshwork.bench.load.PhaseResult("alternating", false, 1000, 1, 1000, 0, 0, 1000, stats, stats);
    return new TelemetryBenchmark.Alternated(0, windows, phase, 0, 0, 1, null);
  }

  @Test
  void theEffectIsEstimatedOverWindowPairsWithAnIntervalThatShowsTheNoise() {
    var close = org.assertj.core.data.Offset.offset(1.0); // two significant digits per window: within 1%
    // Identical windows: no effect and no noise, by either estimate.
    var none = TelemetryBenchmark.effect(java.util.List.of(run(1000, 1000, 1000, 1000), run(1000, 1000, 1000)));
    assertThat(none.pairs()).isEqualTo(5);
    for (var e : java.util.List.of(none.pooled(), none.paired())) {
      assertThat(e.percent()).isCloseTo(0, close);
      assertThat(e.low()).isCloseTo(0, close);
      assertThat(e.high()).isCloseTo(0, close);
    }
    // Every "on" window 20% slower: both estimates and their whole intervals say +20%; the off windows
    // are read as off (an on/off mix-up would give -17% or 0%).
    var slower = TelemetryBenchmark.effect(java.util.List.of(run(1000, 1200, 1200, 1200, 1200)));
    for (var e : java.util.List.of(slower.pooled(), slower.paired())) {
      assertThat(e.percent()).isCloseTo(20, close);
      assertThat(e.low()).isCloseTo(20, close);
    }
    assertThat(slower.offP99()).isCloseTo(0.99, org.assertj.core.data.Offset.offset(0.02));
    // One disturbed "on" window among five pairs: the pooled p99 carries it, the pairs' median does
    // not, and the pooled interval reaches from no effect up to the disturbance.
    var noisy = TelemetryBenchmark.effect(java.util.List.of(run(1000, 1000, 1000, 1000, 1000, 3000)));
    assertThat(noisy.pooled().percent()).isGreaterThan(10);
    assertThat(noisy.paired().percent()).isCloseTo(0, close);
    assertThat(noisy.pooled().low()).isLessThan(1);
    assertThat(noisy.pooled().high()).isGreaterThan(noisy.pooled().percent());
    // The report's window diagnostics find that one slow window.
    var runs = java.util.List.of(run(1000, 1000, 1000, 1000, 1000, 3000));
    var ons = TelemetryBenchmark.windowP99s(runs, true);
    var offs = TelemetryBenchmark.windowP99s(runs, false);
    assertThat(ons).hasSize(5);
    assertThat(ons[4]).isCloseTo(2.97, org.assertj.core.data.Offset.offset(0.05));
    assertThat(ons[3]).isCloseTo(0.99, org.assertj.core.data.Offset.offset(0.02));
    assertThat(offs).hasSize(5);
    for (var v : offs) {
      assertThat(v).isCloseTo(0.99, org.assertj.core.data.Offset.offset(0.02));
    }
  }
}
