package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code meshwork bench alloc} rejects bad options in one sentence, before starting anything. */
class BenchAllocCommandTest {
  @Test
  void anUnknownLeakDetectionLevelIsAUsageError() {
    var r = CliRunner.run("bench", "alloc", "--leak-detection", "sometimes");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--leak-detection must be disabled, simple, advanced or paranoid, not sometimes");
  }

  @Test
  void zeroRequestsIsAUsageError() {
    var r = CliRunner.run("bench", "alloc", "--requests", "0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--requests and --rounds must be at least 1");
  }
}
