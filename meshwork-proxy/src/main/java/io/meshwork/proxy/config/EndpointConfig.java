package io.meshwork.proxy.config;

import java.net.InetSocketAddress;

/**
 * One upstream endpoint: its address, load-balancing weight, priority, and whether EDS calls it healthy.
 * {@code istioMtls}: its metadata says {@code tlsMode: istio} (it has a sidecar; auto mTLS picks
 * the cluster's matching transport socket for it).
 */
public record EndpointConfig(InetSocketAddress address, int weight, int priority, boolean healthy, boolean istioMtls) {
  /** An endpoint without a sidecar marker. */
  public EndpointConfig(InetSocketAddress address, int weight, int priority, boolean healthy) {
    this(address, weight, priority, healthy, false);
  }
}
