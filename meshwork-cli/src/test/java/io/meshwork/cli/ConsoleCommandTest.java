package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code meshwork console}'s option errors: one sentence, exit 2, before anything listens. */
class ConsoleCommandTest {
  @Test
  void aControlPlaneWithoutPortIsRefused() {
    var r = CliRunner.run("console", "--control-plane", "localhost", "--port", "0");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--control-plane localhost is not HOST:PORT", "15014");
  }

  @Test
  void helpListsTheNewOptions() {
    var r = CliRunner.run("console", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("--control-plane", "--jaeger");
  }
}
