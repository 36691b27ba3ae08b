package io.meshwork.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code meshwork bench soak} is bounded: a short run (two 5 s windows at a low rate, the proxy in
 * its own JVM) stops by itself with one row per window, zero errors and exit 0. The 10-minute soak
 * is run by hand (docs/reliability.md), never in CI.
 */
class SoakCommandTest {
  @Test
  @Timeout(180) // startup (at most 60 s) + 10 s + the watchdog's grace (30 s), with room on a loaded machine
  void aShortSoakStopsByItselfAndReportsEachWindow() {
    long t0 = System.nanoTime();
    var r = CliRunner.run("bench", "soak", "--duration", "10s", "--window", "5s", "--rate", "50", "--connections", "2",
        "--proxy-jvm", "-Xmx96m");
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
    System.err.printf("reliability: short soak took %d s:%n%s%s%n", seconds, r.out(), r.err());
    assertThat(r.exitCode()).as(r.out() + r.err()).isZero();
    assertThat(r.out()).containsPattern("(?m)^\\s+5\\s+\\d+\\s+0\\s").containsPattern("(?m)^\\s+10\\s+\\d+\\s+0\\s")
        .contains(", 0 errors;");
  }

  @Test
  void theWatchdogGraceIsATenthOfTheDurationWithinBounds() {
    assertThat(SoakCommand.grace(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(30));
    assertThat(SoakCommand.grace(Duration.ofMinutes(10))).isEqualTo(Duration.ofMinutes(1));
    assertThat(SoakCommand.grace(Duration.ofHours(2))).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void aWindowLongerThanTheDurationIsAUserError() {
    var r = CliRunner.run("bench", "soak", "--duration", "5s", "--window", "10s");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--duration at least one --window");
  }
}
