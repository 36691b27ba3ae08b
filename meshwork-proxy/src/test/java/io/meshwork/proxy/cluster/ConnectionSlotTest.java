package io.meshwork.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshwork.proxy.config.CircuitBreakers;
import io.meshwork.proxy.config.ClusterConfig;
import io.meshwork.proxy.config.EndpointConfig;
import io.meshwork.proxy.config.LbPolicy;
import io.meshwork.proxy.stats.Stats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code max_connections} slots: what a pooled connection runs when it closes gives its slot back and
 * hands it to a pool waiting for one (a request pending on another event loop), without holding the
 * runtime.
 */
class ConnectionSlotTest {
  final Stats stats = new Stats();

  ClusterRuntime cluster(int maxConnections) {
    var eps = List.of(new EndpointConfig(new InetSocketAddress("127.0.0.1", 9000), 1, 0, true));
    return new ClusterRuntime(new ClusterConfig("c", LbPolicy.ROUND_ROBIN, 2, 1024, Duration.ofSeconds(1), Duration.ofHours(1),
        eps, new CircuitBreakers(maxConnections, 1024, 1024, 3), null, false), stats);
  }

  @Test
  void aClosedConnectionHandsItsSlotToTheOldestWaitingPool() {
    var c = cluster(1);
    assertThat(c.tryOpenConnection()).isTrue();
    var closer = c.connectionCloser();
    assertThat(c.tryOpenConnection()).as("at max_connections").isFalse();
    assertThat(stats.value("cluster.c.upstream_cx_overflow")).isEqualTo(1);
    var first = new AtomicInteger();
    var second = new AtomicInteger();
    c.awaitConnectionSlot(first::incrementAndGet);
    c.awaitConnectionSlot(second::incrementAndGet);
    closer.run();
    assertThat(first.get()).as("the oldest waiter was told").isEqualTo(1);
    assertThat(second.get()).as("one slot, one waiter").isZero();
    assertThat(c.tryOpenConnection()).as("the slot is free again").isTrue();
  }
}
