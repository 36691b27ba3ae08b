package io.meshwork.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.bench.load.LatencyStats;
import io.meshwork.bench.load.PhaseResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The table and the targets, from a synthetic report. */
class CompareTableTest {
  static PhaseResult phase(String name, double rps, double p50, double p90, double p99) {
    var l = new LatencyStats(100, p50, p90, p99, p99, p99, p50);
    return new PhaseResult(name, name.equals("sat"), 0, 1, 100, 0, 0, rps, l, l);
  }

  static ScenarioResult row(Scenario s, double sat, double p50, double p90, double p99, List<ProxyFigures> proxies) {
    return new ScenarioResult(s.number(), s.id(), s.description(), "ok", "",
        List.of(phase("sat", sat, 1, 1, 1), phase("r1000", 1000, p50, p90, p99)), proxies);
  }

  @Test
  void rendersRowsAddedLatencyAndTargets() {
    var o = CompareOptions.defaults(true, "java", "cp", List.of("Main", "proxy"), Path.of("/tmp")).withLoad(1, 1, 1, 1, List.of(1000.0), 0);
    var ours = new ProxyFigures("proxy", 800, 40, 60, 61, Map.of("sat", 0.2, "r1000", 0.08));
    var ha = new ProxyFigures("haproxy", 10, 8, 9, 9, Map.of("sat", 0.05, "r1000", 0.02));
    var report = new CompareReport("2026-01-01", "test machine", "./meshwork bench compare --quick", "quick", "", o, List.of(
        row(Scenario.DIRECT, 50_000, 0.10, 0.20, 0.50, List.of()),
        row(Scenario.ONE_HOP, 30_000, 0.30, 0.50, 1.50, List.of(ours)),
        row(Scenario.HAPROXY_HOP, 40_000, 0.20, 0.40, 1.00, List.of(ha)),
        new ScenarioResult("5", "hop2-mtls", "d", "not yet", "no TLS", List.of(), List.of())));
    var md = CompareTable.markdown(report);
    assertThat(md).contains("| 1 | direct | 50,000 | 0.10 / 0.20 / 0.50 | - | - | - |");
    assertThat(md).contains("| 3 | hop1 | 30,000 | 0.30 / 0.50 / 1.50 | 0.200; 0.080 | 40 → 60 | 800 |");
    assertThat(md).contains("| 5 | hop2-mtls | not yet: no TLS |");
    assertThat(md).contains("- hop1: 0.20 / 0.30 / 1.00");
    assertThat(md).contains("**MISSED** saturation, one hop: ours / HAProxy ≥ 0.8: 30,000 / 40,000 = 0.75");
    assertThat(md).contains("**MISSED** added latency @1k, one hop");
    assertThat(md).contains("**met** CPU @1k rps, hop1 proxy: 0.080");
    assertThat(md).contains("**met** RSS under load, hop1 proxy: 60 MB");
    assertThat(md).contains("**met** ready, hop1 proxy: 800 ms");
  }

  @Test
  void theMtlsPairAndTheDefaultMeshAreJudgedAgainstTheHaproxyTlsPairOfTheSameRun() {
    var o = CompareOptions.defaults(true, "java", "cp", List.of("Main", "proxy"), Path.of("/tmp")).withLoad(1, 1, 1, 1, List.of(1000.0), 0);
    var report = new CompareReport("2026-01-01", "test machine", "./meshwork bench compare --quick", "quick", "", o, List.of(
        row(Scenario.DIRECT, 50_000, 0.10, 0.20, 0.50, List.of()),
        row(Scenario.TWO_HOPS_MTLS, 9_000, 0.40, 0.60, 1.50, List.of()),
        row(Scenario.TWO_HOPS_MTLS_TELEMETRY, 8_000, 0.60, 0.90, 2.50, List.of()),
        row(Scenario.HAPROXY_PAIR, 10_000, 0.50, 0.80, 2.00, List.of())));
    var md = CompareTable.markdown(report);
    // added over direct: mTLS pair 0.30 / 0.40 / 1.00, default mesh 0.50 / 0.70 / 2.00, HAProxy TLS pair 0.40 / 0.60 / 1.50
    assertThat(md).contains("**met** saturation, pair with mTLS: ours (hop2-mtls) / HAProxy pair with TLS ≥ 0.8: 9,000 / 10,000 = 0.90");
    assertThat(md).contains("**met** added latency @1k, pair with mTLS: ours (hop2-mtls) ≤ HAProxy TLS pair's (aim 0.8x): "
        + "ours 0.30 / 0.40 / 1.00 ms vs 0.40 / 0.60 / 1.50 ms");
    assertThat(md).contains("**met** saturation, default mesh: ours (hop2-mtls-telemetry) / HAProxy pair with TLS ≥ 0.8: 8,000 / 10,000 = 0.80");
    assertThat(md).contains("**MISSED** added latency @1k, default mesh: ours (hop2-mtls-telemetry) ≤ HAProxy TLS pair's (aim 0.8x): "
        + "ours 0.50 / 0.70 / 2.00 ms vs 0.40 / 0.60 / 1.50 ms");
  }

  @Test
  void theReportSerializesToJsonForMachines() throws Exception {
    var o = CompareOptions.defaults(true, "java", "cp", List.of("Main", "proxy"), Path.of("/tmp/w"));
    var report = new CompareReport("2026-01-01", "m", "./meshwork bench compare -o json", "quick", "", o, List.of(
        row(Scenario.ONE_HOP, 30_000, 0.30, 0.50, 1.50, List.of(new ProxyFigures("proxy", 800, 40, 60, 61, Map.of("r1000", 0.08))))));
    var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
        new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(report));
    assertThat(tree.at("/rows/0/id").asText()).isEqualTo("hop1");
    assertThat(tree.at("/rows/0/phases/0/throughput").asDouble()).isEqualTo(30_000);
    assertThat(tree.at("/rows/0/proxies/0/cpuSecondsPer1k/r1000").asDouble()).isEqualTo(0.08);
    assertThat(tree.at("/options/label").asText()).isEqualTo("quick");
  }
}
