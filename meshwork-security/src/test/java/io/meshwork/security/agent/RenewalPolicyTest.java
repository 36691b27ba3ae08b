package io.meshwork.security.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RenewalPolicyTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void renewsAtHalfLifeWithinTheJitterBand() {
    var p = RenewalPolicy.defaults();
    var end = T0.plus(Duration.ofHours(24));
    assertThat(p.renewAt(T0, end, 0)).isEqualTo(T0.plus(Duration.ofHours(12)));
    assertThat(p.renewAt(T0, end, -1)).isEqualTo(T0.plus(Duration.ofMinutes(12 * 60 - 72)));
    assertThat(p.renewAt(T0, end, 1)).isEqualTo(T0.plus(Duration.ofMinutes(12 * 60 + 72)));
    assertThat(p.renewAt(T0, T0.plusSeconds(60), 0)).isEqualTo(T0.plusSeconds(30));
    assertThatThrownBy(() -> p.renewAt(T0, end, 1.5)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void retriesBackOffExponentiallyUpToTheCap() {
    var p = RenewalPolicy.defaults();
    assertThat(p.retryDelay(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.retryDelay(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.retryDelay(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(p.retryDelay(7)).isEqualTo(Duration.ofSeconds(60));
    assertThat(p.retryDelay(50)).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new RenewalPolicy(1.2, 0, Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RenewalPolicy(0.5, 0.6, Duration.ZERO, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
  }
}
