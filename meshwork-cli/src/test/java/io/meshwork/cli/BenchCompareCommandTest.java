package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny, bounded comparison: the backends, one proxy and the load generator run as real processes
 * (at most 300 requests per phase), and the table they produce has figures. Nothing asserts on time.
 */
class BenchCompareCommandTest {
  @TempDir Path dir;

  @Test
  void aTinyComparisonPrintsATableWithFigures() throws Exception {
    var md = dir.resolve("benchmarks.md");
    // The warm-up (closed loop, also bounded at 300 requests, so short on a quiet machine) lets the client-side
    // proxies finish their mTLS handshakes before the measured windows: on a loaded CI machine the two mTLS rows
    // otherwise spent the whole 0.5 s saturation window handshaking and recorded no request.
    var r = CliRunner.run("bench", "compare", "--scenarios", "direct,hop1,hop2-mtls,hop2-mtls-telemetry", "--rates", "1000", "--max-requests", "300",
        "--warm-ms", "3000", "--saturation-ms", "500", "--rate-ms", "300", "--rate-warm-ms", "100", "--label", "smoke", "--work-dir", dir.resolve("work").toString(),
        "--write", md.toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    var number = "[0-9][0-9,]*";
    var latency = "[0-9.]+ / [0-9.]+ / [0-9.]+[^|]*";
    assertThat(r.out()).containsPattern(Pattern.compile("\\| 1 \\| direct \\| " + number + " \\| " + latency + " \\| - \\| - \\| - \\|"));
    assertThat(r.out()).containsPattern(Pattern.compile(
        "\\| 3 \\| hop1 \\| " + number + " \\| " + latency + " \\| [0-9.]+; [0-9.-]+ \\| " + number + " → " + number + " \\| " + number + " \\|"));
    // Changed with mTLS: row 5 is measured now (two proxies with mTLS between them).
    assertThat(r.out()).containsPattern(Pattern.compile(
        "\\| 5 \\| hop2-mtls \\| " + number + " \\| " + latency + " \\| [0-9.]+; [0-9.-]+ \\+ [0-9.]+; [0-9.-]+ \\| "));
    // Changed with the default-mesh row: row 6 is measured too (mTLS pair + Istio metrics + 1% tracing to the bench's sink).
    assertThat(r.out()).containsPattern(Pattern.compile(
        "\\| 6 \\| hop2-mtls-telemetry \\| " + number + " \\| " + latency + " \\| [0-9.]+; [0-9.-]+ \\+ [0-9.]+; [0-9.-]+ \\| "));
    assertThat(r.out()).containsPattern("- 6 `hop2-mtls-telemetry`: the default mesh: .* \\(the sink received [0-9,]+ spans in [0-9,]+ batches over [0-9,]+ requests\\)");
    assertThat(r.out()).contains("Latency added over direct at 1,000 rps").contains("- hop1: ");
    assertThat(Files.readString(md)).contains("<!-- compare-smoke:begin -->").contains("| 3 | hop1 |");
    // every process was stopped: no child of this JVM is left
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
  }

  @Test
  void theQuickPlanPutsEveryRowInOneRunAndRunsNothing() {
    var r = CliRunner.run("bench", "compare", "--quick", "--plan", "--no-write");
    assertThat(r.exitCode()).as(r.err()).isZero();
    // rows 5 (mTLS pair), 6 (default mesh) and 7 (HAProxy TLS pair) are in the same run, so their targets compare within it
    assertThat(r.out()).contains("bench compare plan (quick, http1): 9 scenarios in one run: direct, l4-rr, hop1, hop2, hop2-mtls, "
        + "hop2-mtls-jdk, hop2-mtls-telemetry, haproxy-pair, haproxy-hop1");
    assertThat(r.out()).contains("phases per scenario: warm:0:0:1000 sat:0:0:1500 r100:100:300:1500 r1000:1000:300:1500 r5000:5000:300:1500");
    assertThat(r.out()).contains("planned load and idle time: 79.1 s");
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
  }

  @Test
  void anUnknownProtocolIsAUsageError() {
    var r = CliRunner.run("bench", "compare", "--protocol", "h3", "--plan", "--no-write");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--protocol h3: expected one of http1, h2c, grpc");
  }

  @Test
  void anUnknownScenarioIsAUsageError() {
    var r = CliRunner.run("bench", "compare", "--scenarios", "direct,warp-drive", "--no-write");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--scenarios: unknown scenario warp-drive; known: direct, l4-rr, hop1");
  }

  /** The pass-through subcommands answer --help themselves instead of starting the (long) benchmark. */
  @Test
  void passThroughSubcommandsPrintUsageOnHelp() {
    for (var sub : java.util.List.of("scale", "load", "backend")) {
      var r = CliRunner.run("bench", sub, "--help");
      assertThat(r.exitCode()).as(sub + ": " + r.err()).isZero();
      assertThat(r.out()).as(sub).contains("Usage: meshwork bench " + sub);
    }
  }
}
