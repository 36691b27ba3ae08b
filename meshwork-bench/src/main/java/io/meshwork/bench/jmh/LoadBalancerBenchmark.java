package io.meshwork.bench.jmh;

import io.meshwork.proxy.cluster.ClusterRuntime;
import io.meshwork.proxy.cluster.Host;
import io.meshwork.proxy.config.CircuitBreakers;
import io.meshwork.proxy.config.ClusterConfig;
import io.meshwork.proxy.config.EndpointConfig;
import io.meshwork.proxy.config.LbPolicy;
import io.meshwork.proxy.stats.Stats;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** One host pick per operation, for each balancer, over 3 or 100 equally weighted endpoints. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class LoadBalancerBenchmark {
  @Param({"ROUND_ROBIN", "LEAST_REQUEST", "RANDOM"})
  String policy;

  @Param({"3", "100"})
  int endpoints;

  ClusterRuntime cluster;

  @Setup
  public void setup() {
    var eps = new ArrayList<EndpointConfig>();
    for (int i = 0; i < endpoints; i++) {
      eps.add(new EndpointConfig(new InetSocketAddress("127.0.0.1", 10000 + i), 1, 0, true));
    }
    cluster = new ClusterRuntime(new ClusterConfig("c", LbPolicy.valueOf(policy), 2, Duration.ofSeconds(1), Duration.ofHours(1), eps,
        CircuitBreakers.DEFAULTS), new Stats());
  }

  @Benchmark
  public Host pick() {
    return cluster.lb().choose(List.of());
  }
}
