package io.meshwork.proxy.runtime;

import io.meshwork.proxy.cluster.ClusterRuntime;
import io.meshwork.proxy.config.ProxyConfig;
import java.util.Map;

/** One consistent view of configuration and cluster runtimes; never mutated after construction. */
public record Snapshot(ProxyConfig config, Map<String, ClusterRuntime> clusters, Map<String, HttpListenerRuntime> http) {
  public ClusterRuntime cluster(String name) {
    return clusters.get(name);
  }
}
