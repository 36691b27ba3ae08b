package io.meshwork.bench.jmh;

import io.meshwork.proxy.cluster.ClusterRuntime;
import io.meshwork.proxy.cluster.Host;
import io.meshwork.proxy.config.ProxyConfigBuilder;
import io.meshwork.proxy.stats.Stats;
import io.meshwork.xds.bootstrap.BootstrapLoader;
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
  public void setup() throws Exception {
    // Built through the bootstrap path rather than the config records' constructors, so the
    // benchmark follows the proxy's configuration as it grows.
    var eps = new StringBuilder();
    for (int i = 0; i < endpoints; i++) {
      eps.append("        - endpoint: {address: {socket_address: {address: 127.0.0.1, port_value: ").append(10000 + i).append("}}}\n");
    }
    var yaml = """
        node: {id: jmh, cluster: jmh}
        static_resources:
          clusters:
          - name: c
            type: STATIC
            lb_policy: %s
            load_assignment:
              cluster_name: c
              endpoints:
              - lb_endpoints:
        %s""".formatted(policy, eps);
    var config = ProxyConfigBuilder.fromBootstrap(BootstrapLoader.parse("jmh-lb.yaml", yaml), 1);
    cluster = new ClusterRuntime(config.cluster("c"), new Stats());
  }

  @Benchmark
  public Host pick() {
    return cluster.lb().choose(List.of());
  }
}
