package io.meshwork.console.jaeger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesGoDurationsToMicros() {
    assertThat(Durations.micros("x", "100ms")).isEqualTo(100_000);
    assertThat(Durations.micros("x", "1.5s")).isEqualTo(1_500_000);
    assertThat(Durations.micros("x", "250us")).isEqualTo(250);
    assertThat(Durations.micros("x", "1h30m")).isEqualTo(5_400_000_000L);
    assertThat(Durations.micros("x", "2d")).isEqualTo(172_800_000_000L);
  }

  @Test
  void rejectsWhatIsNotADurationNamingTheParameter() {
    assertThatThrownBy(() -> Durations.micros("minDuration", "100")).hasMessageContaining("minDuration=100");
    assertThatThrownBy(() -> Durations.micros("lookback", "1hx")).hasMessageContaining("lookback");
  }
}
