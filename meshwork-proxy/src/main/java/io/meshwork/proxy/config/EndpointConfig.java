package io.meshwork.proxy.config;

import java.net.InetSocketAddress;

/** One upstream endpoint: its address, load-balancing weight, priority, and whether EDS calls it healthy. */
public record EndpointConfig(InetSocketAddress address, int weight, int priority, boolean healthy) {}
