package io.meshwork.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meshwork.proxy.config.ClusterConfig;
import io.meshwork.proxy.config.EndpointConfig;
import io.meshwork.proxy.config.LbPolicy;
import io.meshwork.proxy.stats.Stats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Distribution of every load balancer, checked over many picks. */
class LoadBalancerTest {
  static ClusterRuntime cluster(LbPolicy lb, int... weights) {
    var eps = new ArrayList<EndpointConfig>();
    for (int i = 0; i < weights.length; i++) {
      eps.add(new EndpointConfig(new InetSocketAddress("127.0.0.1", 9000 + i), weights[i], 0, true));
    }
    return new ClusterRuntime(new ClusterConfig("c", lb, 2, lb == LbPolicy.MAGLEV ? 65_537 : 1024, Duration.ofSeconds(1), Duration.ofHours(1), eps,
        io.meshwork.proxy.config.CircuitBreakers.DEFAULTS, null, false), new Stats());
  }

  static Map<Integer, Integer> picks(ClusterRuntime c, int n) {
    var counts = new HashMap<Integer, Integer>();
    for (int i = 0; i < n; i++) {
      counts.merge(c.lb().choose(List.of()).address().getPort() - 9000, 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void roundRobinIsExactlyEvenAndWeightedRoundRobinExactlyProportional() {
    assertThat(picks(cluster(LbPolicy.ROUND_ROBIN, 1, 1, 1, 1), 400)).containsOnly(
        Map.entry(0, 100), Map.entry(1, 100), Map.entry(2, 100), Map.entry(3, 100));
    var weighted = cluster(LbPolicy.ROUND_ROBIN, 3, 1);
    assertThat(picks(weighted, 400)).containsOnly(Map.entry(0, 300), Map.entry(1, 100));
  }

  @Test
  void weightedRoundRobinInterleaves() {
    var c = cluster(LbPolicy.ROUND_ROBIN, 5, 1, 1);
    var seq = new StringBuilder();
    for (int i = 0; i < 14; i++) {
      seq.append(c.lb().choose(List.of()).address().getPort() - 9000);
    }
    // Smooth WRR (a,a,b,a,c,a,a repeating) keeps the light hosts apart and never gives the heavy
    // host its whole share in one burst, unlike a naive expansion (a,a,a,a,a,b,c).
    assertThat(seq.toString()).doesNotContain("00000").doesNotContain("12").doesNotContain("21");
  }

  @Test
  void randomIsUniformAndRespectsWeights() {
    var even = picks(cluster(LbPolicy.RANDOM, 1, 1, 1, 1), 20_000);
    even.values().forEach(v -> assertThat(v / 20_000.0).isCloseTo(0.25, within(0.02)));
    var weighted = picks(cluster(LbPolicy.RANDOM, 9, 1), 20_000);
    assertThat(weighted.get(0) / 20_000.0).isCloseTo(0.9, within(0.02));
  }

  @Test
  void leastRequestPrefersIdleHostsAndIsEvenWhenAllAreIdle() {
    var c = cluster(LbPolicy.LEAST_REQUEST, 1, 1, 1, 1);
    var even = picks(c, 20_000);
    even.values().forEach(v -> assertThat(v / 20_000.0).isCloseTo(0.25, within(0.02)));
    // Host 0 is busy: with two choices it only wins when both samples are host 0 (1/16).
    var busy = c.hosts().get(0);
    for (int i = 0; i < 10; i++) {
      busy.requestStarted();
    }
    var skewed = picks(c, 20_000);
    assertThat(skewed.get(0) / 20_000.0).isCloseTo(1 / 16.0, within(0.015));
  }

  @Test
  void choosingAvoidsHostsAlreadyTriedWhenOthersExist() {
    for (var lb : LbPolicy.values()) {
      var c = cluster(lb, 1, 1, 1);
      var first = c.lb().choose(List.of());
      for (int i = 0; i < 200; i++) {
        assertThat(c.lb().choose(List.of(first))).as(lb.name()).isNotSameAs(first);
      }
      var single = cluster(lb, 1);
      var only = single.lb().choose(List.of());
      assertThat(single.lb().choose(List.of(only))).isSameAs(only);
    }
  }

  @Test
  void unhealthyHostsAndEmptyClusters() {
    var eps = List.of(new EndpointConfig(new InetSocketAddress("127.0.0.1", 9000), 1, 0, false),
        new EndpointConfig(new InetSocketAddress("127.0.0.1", 9001), 1, 0, true));
    var c = new ClusterRuntime(new ClusterConfig("c", LbPolicy.RANDOM, 2, 1024, Duration.ofSeconds(1), Duration.ofHours(1), eps, io.meshwork.proxy.config.CircuitBreakers.DEFAULTS, null, false),
        new Stats());
    for (int i = 0; i < 50; i++) {
      assertThat(c.lb().choose(List.of()).address().getPort()).isEqualTo(9001);
    }
    assertThat(cluster(LbPolicy.ROUND_ROBIN).lb().choose(List.of())).isNull();
  }
}
