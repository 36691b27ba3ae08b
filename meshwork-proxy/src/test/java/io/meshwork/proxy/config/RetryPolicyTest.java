package io.meshwork.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  @Test
  void conditionsFollowEnvoy() {
    var fivexx = new RetryPolicy(Set.of("5xx"), 1, Duration.ZERO, Duration.ofMillis(25), Duration.ofMillis(250), Set.of());
    assertThat(fivexx.retriesStatus(500)).isTrue();
    assertThat(fivexx.retriesStatus(404)).isFalse();
    assertThat(fivexx.retriesFailure(true, false)).isTrue();
    assertThat(fivexx.retriesFailure(false, true)).isTrue();
    var gw = new RetryPolicy(Set.of("gateway-error"), 1, Duration.ZERO, Duration.ofMillis(25), Duration.ofMillis(250), Set.of());
    assertThat(gw.retriesStatus(500)).isFalse();
    assertThat(gw.retriesStatus(503)).isTrue();
    var cf = new RetryPolicy(Set.of("connect-failure"), 1, Duration.ZERO, Duration.ofMillis(25), Duration.ofMillis(250), Set.of());
    assertThat(cf.retriesFailure(true, false)).isTrue();
    assertThat(cf.retriesFailure(false, false)).isFalse();
    assertThat(cf.retriesStatus(503)).isFalse();
    var codes = new RetryPolicy(Set.of("retriable-status-codes"), 1, Duration.ZERO, Duration.ofMillis(25),
        Duration.ofMillis(250), Set.of(418));
    assertThat(codes.retriesStatus(418)).isTrue();
    assertThat(codes.retriesStatus(500)).isFalse();
  }

  @Test
  void refusedStreamRetriesOnlyRefusedStreamResetsAndRetriable4xxOnly409() {
    var refused = new RetryPolicy(Set.of("refused-stream"), 1, Duration.ZERO, Duration.ofMillis(25), Duration.ofMillis(250),
        Set.of());
    assertThat(refused.retriesFailure(false, false, true)).isTrue();
    assertThat(refused.retriesFailure(false, false, false)).as("another reset").isFalse();
    assertThat(refused.retriesFailure(true, false, false)).as("connect failure").isFalse();
    assertThat(refused.retriesStatus(503)).isFalse();
    var reset = new RetryPolicy(Set.of("reset"), 1, Duration.ZERO, Duration.ofMillis(25), Duration.ofMillis(250), Set.of());
    assertThat(reset.retriesFailure(false, false, true)).isTrue();
    assertThat(reset.retriesFailure(false, false, false)).isTrue();
    assertThat(reset.retriesStatus(503)).isFalse();
    var fourxx = new RetryPolicy(Set.of("retriable-4xx"), 1, Duration.ZERO, Duration.ofMillis(25), Duration.ofMillis(250),
        Set.of());
    assertThat(fourxx.retriesStatus(409)).isTrue();
    assertThat(fourxx.retriesStatus(404)).isFalse();
    assertThat(fourxx.retriesStatus(500)).isFalse();
    assertThat(fourxx.retriesFailure(false, false, false)).isFalse();
  }

  @Test
  void grpcConditionsMatchTheirGrpcStatusOnly() {
    var all = new RetryPolicy(Set.of("cancelled", "deadline-exceeded", "resource-exhausted", "internal", "unavailable"), 1,
        Duration.ZERO, Duration.ofMillis(25), Duration.ofMillis(250), Set.of());
    for (var status : new String[] {"1", "4", "8", "13", "14"}) {
      assertThat(all.retriesGrpcStatus(status)).as("grpc-status %s", status).isTrue();
    }
    assertThat(all.retriesGrpcStatus("0")).isFalse();
    assertThat(all.retriesGrpcStatus("2")).isFalse();
    assertThat(all.retriesGrpcStatus(null)).isFalse();
    var unavailable = new RetryPolicy(Set.of("unavailable"), 1, Duration.ZERO, Duration.ofMillis(25), Duration.ofMillis(250),
        Set.of());
    assertThat(unavailable.retriesGrpcStatus("14")).isTrue();
    assertThat(unavailable.retriesGrpcStatus("1")).isFalse();
    assertThat(unavailable.retriesStatus(503)).isFalse();
    var fivexx = new RetryPolicy(Set.of("5xx"), 1, Duration.ZERO, Duration.ofMillis(25), Duration.ofMillis(250), Set.of());
    assertThat(fivexx.retriesGrpcStatus("14")).isFalse();
  }

  @Test
  void backoffIsJitteredExponentialAndCapped() {
    var p = new RetryPolicy(Set.of("5xx"), 5, Duration.ZERO, Duration.ofMillis(25), Duration.ofMillis(100), Set.of());
    var random = new Random(1);
    long max1 = 0;
    long max3 = 0;
    for (int i = 0; i < 2000; i++) {
      long b1 = p.backoffMillis(1, random);
      long b3 = p.backoffMillis(3, random);
      assertThat(b1).isBetween(0L, 24L);
      assertThat(b3).isBetween(0L, 99L);
      max1 = Math.max(max1, b1);
      max3 = Math.max(max3, b3);
    }
    assertThat(max1).isGreaterThan(20);
    assertThat(max3).isGreaterThan(80);
  }
}
