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

/** Outlier detection on a fake clock: thresholds, growing ejection time, max ejection percent. */
class OutlierDetectorTest {
  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final Stats stats = new Stats();

  ClusterRuntime cluster(int hosts, int maxEjectionPercent) {
    var eps = new ArrayList<EndpointConfig>();
    for (int i = 0; i < hosts; i++) {
      eps.add(new EndpointConfig(new InetSocketAddress("127.0.0.1", 9000 + i), 1, 0, true));
    }
    var od = new OutlierDetection(3, 2, 100, 100, Duration.ofSeconds(30), Duration.ofSeconds(300), maxEjectionPercent);
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
}
