package io.meshwork.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The plan of {@code bench compare --quick}: every row in one run (so the mTLS pair, the default mesh
 * and the HAProxy TLS pair are compared within it), and little enough load that the whole table fits in
 * two minutes once the proxies' start-up (about a second each) is added. The run itself is too heavy
 * for CI (a dozen JVMs at full load for two minutes on a shared machine); this checks its plan.
 */
class CompareOptionsTest {
  @Test
  void theQuickPlanRunsEveryRowInOneRunWithinItsTimeBudget() {
    var quick = CompareOptions.defaults(true, "java", "cp", List.of("Main", "proxy"), Path.of("/tmp"));
    assertThat(quick.scenarios()).contains(Scenario.DIRECT, Scenario.TWO_HOPS_MTLS, Scenario.TWO_HOPS_MTLS_TELEMETRY, Scenario.HAPROXY_PAIR);
    assertThat(quick.scenarios()).containsExactlyElementsOf(Scenario.all());
    assertThat(Scenario.all()).allMatch(s -> s.notYet() == null);
    // 9 rows x (1 + 1.5 + 3 x (0.3 + 1.5) s) of load + 1 s idle for each of the 8 rows with proxies
    assertThat(quick.plannedLoadMillis()).isEqualTo(9 * 7900 + 8 * 1000);
    // leaves more than 30 s of the two minutes for 11 proxy start-ups, 9 load-generator JVMs and the handshake note
    assertThat(quick.plannedLoadMillis()).isLessThan(90_000);
    var full = CompareOptions.defaults(false, "java", "cp", List.of("Main", "proxy"), Path.of("/tmp"));
    assertThat(full.scenarios()).containsExactlyElementsOf(Scenario.all());
    assertThat(full.plannedLoadMillis()).isGreaterThan(4 * quick.plannedLoadMillis());
  }

  @Test
  void theQuickPhasesAreWarmUpSaturationAndTheThreeRatesOfIstiosBenchmark() {
    var quick = CompareOptions.defaults(true, "java", "cp", List.of("Main", "proxy"), Path.of("/tmp"));
    assertThat(new CompareRunner(quick, System.err).phases())
        .containsExactly("warm:0:0:1000", "sat:0:0:1500", "r100:100:300:1500", "r1000:1000:300:1500", "r5000:5000:300:1500");
  }
}
