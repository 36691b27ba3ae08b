package io.meshwork.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.config.CircuitBreakers;
import io.meshwork.proxy.config.ClusterConfig;
import io.meshwork.proxy.config.EndpointConfig;
import io.meshwork.proxy.config.LbPolicy;
import io.meshwork.proxy.config.OutlierDetection;
import io.meshwork.proxy.stats.Stats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Outlier detection on a fake clock: thresholds, growing ejection time, interval sweeps, max ejection percent. */
class OutlierDetectorTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final Stats stats = new Stats();

  ClusterRuntime cluster(int hosts, int maxEjectionPercent) {
    return cluster(hosts, new OutlierDetection(3, 2, 100, 100, Duration.ofSeconds(30), Duration.ofSeconds(300),
        maxEjectionPercent));
  }

  ClusterRuntime cluster(int hosts, OutlierDetection od) {
    var eps = new ArrayList<EndpointConfig>();
    for (int i = 0; i < hosts; i++) {
      eps.add(new EndpointConfig(new InetSocketAddress("127.0.0.1", 9000 + i), 1, 0, true));
    }
    return new ClusterRuntime(new ClusterConfig("c", LbPolicy.ROUND_ROBIN, 2, 1024, Duration.ofSeconds(1), Duration.ofHours(1),
        eps, CircuitBreakers.DEFAULTS, od, false), stats, now::get);
  }

  @Test
  void consecutive5xxEjectsAndASuccessResetsTheCount() {
    var c = cluster(4, 100);
    var h = c.hosts().get(0);
    c.reportOutcome(h, 500);
    c.reportOutcome(h, 500);
    c.reportOutcome(h, 200);
    c.reportOutcome(h, 500);
    c.reportOutcome(h, 500);
    assertThat(c.isEjected(h)).isFalse();
    c.reportOutcome(h, 500);
    assertThat(c.isEjected(h)).isTrue();
    assertThat(stats.value("cluster.c.outlier_detection.ejections_enforced_consecutive_5xx")).isEqualTo(1);
    assertThat(stats.value("cluster.c.outlier_detection.ejections_active")).isEqualTo(1);
    for (int i = 0; i < 100; i++) {
      assertThat(c.choose(List.of())).isNotSameAs(h);
    }
  }

  @Test
  void gatewayFailuresHaveTheirOwnThreshold() {
    var c = cluster(4, 100);
    var h = c.hosts().get(1);
    c.reportOutcome(h, 503);
    c.reportOutcome(h, 502);
    assertThat(c.isEjected(h)).isTrue();
    assertThat(stats.value("cluster.c.outlier_detection.ejections_enforced_consecutive_gateway_failure")).isEqualTo(1);
  }

  @Test
  void ejectionTimeGrowsWithEachEjection() {
    var c = cluster(4, 100);
    var h = c.hosts().get(0);
    for (int i = 0; i < 3; i++) {
      c.reportOutcome(h, 500);
    }
    now.addAndGet(Duration.ofSeconds(29).toNanos());
    assertThat(c.isEjected(h)).isTrue();
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(c.isEjected(h)).isFalse();
    for (int i = 0; i < 3; i++) {
      c.reportOutcome(h, 500);
    }
    now.addAndGet(Duration.ofSeconds(59).toNanos());
    assertThat(c.isEjected(h)).as("second ejection lasts 2 x 30 s").isTrue();
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(c.isEjected(h)).isFalse();
    assertThat(h.ejectionCount()).isEqualTo(2);
  }

  @Test
  void maxEjectionPercentCapsEjectionsButOneIsAlwaysAllowed() {
    var c = cluster(4, 10);
    for (var h : c.hosts()) {
      for (int i = 0; i < 3; i++) {
        c.reportOutcome(h, 500);
      }
    }
    assertThat(c.hosts().stream().filter(c::isEjected).count()).isEqualTo(1);
    assertThat(stats.value("cluster.c.outlier_detection.ejections_overflow")).isEqualTo(3);
    var half = cluster(4, 50);
    for (var h : half.hosts()) {
      for (int i = 0; i < 3; i++) {
        half.reportOutcome(h, 500);
      }
    }
    assertThat(half.hosts().stream().filter(half::isEjected).count()).isEqualTo(2);
  }

  private void fail3(ClusterRuntime c, Host h) {
    for (int i = 0; i < 3; i++) {
      c.reportOutcome(h, 500);
    }
  }

  private void advanceSeconds(long s) {
    now.addAndGet(Duration.ofSeconds(s).toNanos());
  }

  @Test
  void anExpiredEjectionEndsOnlyAtTheNextIntervalSweep() {
    // Sweeps every 7 s from the detector's start; a 30 s ejection from t=0 ends at the 35 s sweep.
    var c = cluster(4, new OutlierDetection(3, 2, 100, 100, Duration.ofSeconds(30), Duration.ofSeconds(300), 100,
        Duration.ofSeconds(7)));
    var h = c.hosts().get(0);
    fail3(c, h);
    advanceSeconds(30);
    assertThat(c.isEjected(h)).as("30 s passed but no sweep has looked at the host yet").isTrue();
    advanceSeconds(4);
    assertThat(c.isEjected(h)).isTrue();
    advanceSeconds(1);
    assertThat(c.isEjected(h)).as("the 35 s sweep un-ejects it").isFalse();
  }

  @Test
  void theMultiplierDecreasesOncePerSweepWhileTheHostStaysHealthy() {
    var c = cluster(4, new OutlierDetection(3, 2, 100, 100, Duration.ofSeconds(30), Duration.ofSeconds(300), 100,
        Duration.ofSeconds(10)));
    var h = c.hosts().get(0);
    fail3(c, h); // t=0: multiplier 1, out until the 30 s sweep
    advanceSeconds(30);
    assertThat(c.isEjected(h)).isFalse();
    fail3(c, h); // t=30, no healthy sweep in between: multiplier 2, 60 s, out until t=90
    advanceSeconds(59);
    assertThat(c.isEjected(h)).isTrue();
    advanceSeconds(1);
    assertThat(c.isEjected(h)).isFalse();
    // Healthy through the sweeps at 100 and 110 s: the multiplier goes 2 -> 0.
    advanceSeconds(25); // t=115
    fail3(c, h); // multiplier 0 + 1: 30 s again (not 3 x 30 s), out until the 150 s sweep
    advanceSeconds(34); // t=149
    assertThat(c.isEjected(h)).isTrue();
    advanceSeconds(1); // t=150
    assertThat(c.isEjected(h)).as("the multiplier decayed, so this ejection lasts 30 s").isFalse();
    assertThat(h.ejectionCount()).isEqualTo(3);
  }

  @Test
  void oneHealthySweepTakesOneStepOffTheMultiplier() {
    var c = cluster(4, new OutlierDetection(3, 2, 100, 100, Duration.ofSeconds(30), Duration.ofSeconds(300), 100,
        Duration.ofSeconds(10)));
    var h = c.hosts().get(0);
    fail3(c, h); // t=0: 30 s
    advanceSeconds(30);
    fail3(c, h); // t=30: multiplier 2, 60 s, out until t=90
    advanceSeconds(60);
    assertThat(c.isEjected(h)).isFalse();
    advanceSeconds(10); // the 100 s sweep finds it healthy: multiplier 2 -> 1
    fail3(c, h); // multiplier 2: 60 s, out until t=160
    advanceSeconds(59);
    assertThat(c.isEjected(h)).isTrue();
    advanceSeconds(1);
    assertThat(c.isEjected(h)).isFalse();
  }

  @Test
  void ejectionTimeIsCappedByMaxEjectionTime() {
    var c = cluster(4, new OutlierDetection(3, 2, 100, 100, Duration.ofSeconds(30), Duration.ofSeconds(50), 100,
        Duration.ofSeconds(10)));
    var h = c.hosts().get(0);
    fail3(c, h); // 30 s
    advanceSeconds(30);
    fail3(c, h); // min(60, 50) = 50 s, until t=80
    advanceSeconds(50);
    assertThat(c.isEjected(h)).isFalse();
    fail3(c, h); // still 50 s, until t=130
    advanceSeconds(49);
    assertThat(c.isEjected(h)).isTrue();
    advanceSeconds(1);
    assertThat(c.isEjected(h)).isFalse();
  }
}
