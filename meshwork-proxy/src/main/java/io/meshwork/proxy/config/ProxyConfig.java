package io.meshwork.proxy.config;

import com.google.protobuf.Message;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One complete, immutable configuration of the proxy: a snapshot. Updates build a new one and swap
 * it in; requests hold the snapshot they started with. {@code resources} keeps the source protos
 * for {@code /config_dump} only.
 */
public record ProxyConfig(long version, String nodeId, InetSocketAddress adminAddress, List<ListenerConfig> listeners,
    Map<String, ClusterConfig> clusters, Map<String, Message> resources) {
  public ClusterConfig cluster(String name) {
    return clusters.get(name);
  }
}
