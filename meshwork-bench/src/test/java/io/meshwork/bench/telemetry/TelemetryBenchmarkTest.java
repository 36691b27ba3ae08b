package io.meshwork.bench.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the telemetry benchmark at a low rate for a fraction of a second per phase, in both modes
 * (proxy in this JVM, proxy in a JVM of its own): every scenario is measured, spans reach the collector only when sampled, and the report carries the rows, the
 * CPU figure and a verdict. No figure is judged here (that belongs to a run on a quiet machine).
 */
@Timeout(300)
class TelemetryBenchmarkTest {
  @Test
  void everyScenarioIsMeasuredAndOnlySampledSpansAreExported() throws Exception {
    for (var provider : new String[] {"zipkin", "otlp"}) {
      // Zipkin with the proxy in this JVM and a pair round; OTLP with each proxy in a JVM of its own (slower to start).
      boolean zipkin = provider.equals("zipkin");
      int pairs = zipkin ? 1 : 0;
      var o = new TelemetryBenchmark.Options(provider, 200, 300, 1500, 2, 1, pairs, !zipkin);
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
      // A pair round adds a fixed-rate round to 0% and 100% only; p99 is pooled over all rounds.
      assertThat(byName.get("tracing 100%").roundP99s()).hasSize(1 + pairs);
      assertThat(byName.get("tracing 0%").roundP99s()).hasSize(1 + pairs);
      assertThat(byName.get("tracing 1%").roundP99s()).hasSize(1);
      assertThat(run.effect().median().low()).isLessThanOrEqualTo(run.effect().median().high());
      assertThat(run.effect().pooled().low()).isLessThanOrEqualTo(run.effect().pooled().high());
      var report = TelemetryBenchmark.report(run, o);
      assertThat(report).contains("| tracing 100% |", "CPU µs per request", "against 0%", (1 + pairs) + " rounds at 0% and " + (1 + pairs) + " at 100%");
    }
  }

  /** A round whose fixed-rate latencies are 1,000 values spread evenly up to {@code maxMicros}. */
  private static TelemetryBenchmark.Round round(String name, double maxMicros) {
    var h = new org.HdrHistogram.Histogram(java.util.concurrent.TimeUnit.SECONDS.toNanos(120), 3);
    for (int i = 1; i <= 1000; i++) {
      h.recordValue((long) (maxMicros * 1000 * i / 1000));
    }
    var stats = io.meshwork.bench.load.LatencyStats.of(h);
    var phase = new io.meshwork.bench.load.PhaseResult("fixed", false, 1000, 1, 1000, 0, 0, 1000, stats, stats);
    return new TelemetryBenchmark.Round(new TelemetryBenchmark.Scenario(name, 0.0), null, phase, h, 0, 0, 1, 1);
  }

  @Test
  void theEffectIsEstimatedOverRoundsWithAnIntervalThatShowsTheNoise() {
    var zero = java.util.List.of(round("0", 1000), round("0", 1000), round("0", 1000));
    var close = org.assertj.core.data.Offset.offset(0.5);
    // Identical rounds: no effect and no noise, by either estimate.
    var none = TelemetryBenchmark.effect(zero, java.util.List.of(round("100", 1000), round("100", 1000)));
    for (var e : java.util.List.of(none.median(), none.pooled())) {
      assertThat(e.percent()).isCloseTo(0, close);
      assertThat(e.low()).isCloseTo(0, close);
      assertThat(e.high()).isCloseTo(0, close);
    }
    // Every 100% round 20% slower: both estimates and their whole intervals say +20%.
    var slower = TelemetryBenchmark.effect(zero, java.util.List.of(round("100", 1200), round("100", 1200)));
    for (var e : java.util.List.of(slower.median(), slower.pooled())) {
      assertThat(e.percent()).isCloseTo(20, close);
      assertThat(e.low()).isCloseTo(20, close);
    }
    // One disturbed round among three at 100%: the pooled p99 carries it, the median round does not,
    // and both intervals reach up to the disturbance.
    var noisy = TelemetryBenchmark.effect(zero, java.util.List.of(round("100", 1000), round("100", 1000), round("100", 3000)));
    assertThat(noisy.pooled().percent()).isGreaterThan(10);
    assertThat(noisy.median().percent()).isCloseTo(0, close);
    assertThat(noisy.pooled().low()).isLessThan(1);
    assertThat(noisy.pooled().high()).isGreaterThan(noisy.pooled().percent());
    assertThat(noisy.median().high()).isGreaterThan(10);
    assertThat(noisy.fullRounds()).isEqualTo(3);
  }
}
