package io.meshwork.bench.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs the telemetry benchmark at a low rate for a fraction of a second per phase: every scenario
 * is measured, spans reach the collector only when sampled, and the report carries the rows, the
 * CPU figure and a verdict. No figure is judged here (that belongs to a run on a quiet machine).
 */
@Timeout(300)
class TelemetryBenchmarkTest {
  @Test
  void everyScenarioIsMeasuredAndOnlySampledSpansAreExported() throws Exception {
    for (var provider : new String[] {"zipkin", "otlp"}) {
      var o = new TelemetryBenchmark.Options(provider, 200, 300, 1500, 2, 1);
      var log = new ByteArrayOutputStream();
      var results = TelemetryBenchmark.run(o, new PrintStream(log, true, StandardCharsets.UTF_8));
      assertThat(results).extracting(r -> r.scenario().name())
          .containsExactly("metrics off, tracing off", "tracing off", "tracing 0%", "tracing 1%", "tracing 100%");
      for (var r : results) {
        // On a loaded machine a phase may measure few requests, but not none in 1.5 s.
        assertThat(r.saturation().requests() + r.fixedRate().requests()).as(r.scenario().name()).isPositive();
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
          .isGreaterThanOrEqualTo(full.saturation().requests() + full.fixedRate().requests());
      var report = TelemetryBenchmark.report(results, o);
      assertThat(report).contains("| tracing 100% |", "CPU µs per request", "against 0%");
    }
  }
}
