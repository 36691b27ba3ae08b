package io.meshwork.proxy.cluster;

import io.meshwork.proxy.config.ClusterConfig;
import io.meshwork.proxy.stats.ClusterStats;
import io.meshwork.proxy.stats.Stats;
import java.util.List;

/** A cluster at run time: its config, hosts with live counters, the load balancer and its stats. */
public final class ClusterRuntime {
  private final ClusterConfig config;
  private final List<Host> hosts;
  private final LoadBalancer lb;
  private final ClusterStats stats;

  public ClusterRuntime(ClusterConfig config, Stats stats) {
    this.config = config;
    this.hosts = config.endpoints().stream().map(Host::new).toList();
    this.lb = LoadBalancer.of(config, hosts);
    this.stats = new ClusterStats(stats, config.name());
  }

  public ClusterConfig config() {
    return config;
  }

  public String name() {
    return config.name();
  }

  public List<Host> hosts() {
    return hosts;
  }

  public LoadBalancer lb() {
    return lb;
  }

  public ClusterStats stats() {
    return stats;
  }
}
