package io.meshwork.bench.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The levers table, from synthetic rows; and the AOT pair shares one cache file. */
class LeverRunnerTest {
  @Test
  void tabulatesEachLeverWithItsFlagsAndFigures() {
    var levers = Lever.standard(Path.of("/tmp/x.aot"));
    var o = CompareOptions.defaults(true, "java", "cp", List.of("Main", "proxy"), Path.of("/tmp"));
    var ok = new ScenarioResult("3", "hop1", "d", "ok", "", List.of(CompareTableTest.phase("sat", 2000, 1, 1, 1),
        CompareTableTest.phase("r1000", 1000, 0.5, 1, 2.25)), List.of(new ProxyFigures("proxy", 1234, 40, 62, 63, Map.of("r1000", 0.09))));
    var failed = new ScenarioResult("3", "hop1", "d", "failed", "not ready | slow", List.of(), List.of());
    var md = LeverRunner.markdown(o, "./meshwork bench levers", List.of(
        new LeverRunner.LeverResult(levers.get(1), ok), new LeverRunner.LeverResult(levers.get(3), failed)));
    assertThat(md).contains("| xmx64m | `-Xms64m -Xmx64m` | 2,000 | 0.50 / 2.25 | 0.090 | 40 → 62 | 1,234 |");
    assertThat(md).contains("| serial | `-XX:+UseSerialGC` | failed: not ready / slow |");
  }

  @Test
  void theAotRunUsesTheCacheTheTrainingRunWrites() {
    var levers = Lever.standard(Path.of("/tmp/x.aot"));
    var names = levers.stream().map(Lever::name).toList();
    assertThat(names.indexOf("aot-train")).isLessThan(names.indexOf("aot"));
    assertThat(levers.get(names.indexOf("aot-train")).jvmFlags()).containsExactly("-XX:AOTCacheOutput=/tmp/x.aot");
    assertThat(levers.get(names.indexOf("aot")).jvmFlags()).containsExactly("-XX:AOTCache=/tmp/x.aot");
    assertThat(names.getFirst()).isEqualTo("baseline");
  }
}
