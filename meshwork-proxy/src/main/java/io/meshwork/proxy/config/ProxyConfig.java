package io.meshwork.proxy.config;

import com.google.protobuf.Message;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * One complete, immutable configuration of the proxy: a snapshot. Updates build a new one and swap
 * it in; requests hold the snapshot they started with. {@code resources} keeps the source protos
 * for {@code /config_dump} only. {@code capture}: where captured connections go (listeners it names
 * as internal are built but not bound); {@link io.meshwork.proxy.capture.CaptureTable#NONE} without capture.
 */
public record ProxyConfig(long version, String nodeId, InetSocketAddress adminAddress, List<ListenerConfig> listeners,
    Map<String, ClusterConfig> clusters, Map<String, Message> resources, io.meshwork.proxy.capture.CaptureTable capture) {
  public ProxyConfig {
    capture = capture == null ? io.meshwork.proxy.capture.CaptureTable.NONE : capture;
  }

  /** A configuration without capture. */
  public ProxyConfig(long version, String nodeId, InetSocketAddress adminAddress, List<ListenerConfig> listeners,
      Map<String, ClusterConfig> clusters, Map<String, Message> resources) {
    this(version, nodeId, adminAddress, listeners, clusters, resources, null);
  }

  /**
   * The listener named {@code name}: a listener of {@link #listeners}, or one filter chain of a
   * listener with several ({@code LISTENER#INDEX}, see {@link ListenerConfig.Chains}); null if none.
   */
  public ListenerConfig listener(String name) {
    for (var l : listeners) {
      if (l.name().equals(name)) {
        return l;
      }
      if (l.protocol() instanceof ListenerConfig.Chains c) {
        for (var chain : c.listeners()) {
          if (chain.name().equals(name)) {
            return chain;
          }
        }
      }
    }
    return null;
  }

  public ClusterConfig cluster(String name) {
    return clusters.get(name);
  }
}
