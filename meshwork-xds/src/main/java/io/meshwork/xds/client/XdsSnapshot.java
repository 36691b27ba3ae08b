package io.meshwork.xds.client;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.Map;

/**
 * A complete, consistent configuration: every EDS cluster has its endpoints and every listener
 * that names a route configuration has it. The client delivers only such snapshots.
 *
 * @param versions the version of each type ({@code LDS}, {@code RDS}, {@code CDS}, {@code EDS}) it holds
 */
public record XdsSnapshot(
    Map<String, Listener> listeners,
    Map<String, RouteConfiguration> routes,
    Map<String, Cluster> clusters,
    Map<String, ClusterLoadAssignment> endpoints,
    Map<String, String> versions) {

  public static final XdsSnapshot EMPTY = new XdsSnapshot(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());
}
