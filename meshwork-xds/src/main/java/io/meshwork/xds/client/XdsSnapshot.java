package io.meshwork.xds.client;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.Map;

/**
 * A complete, consistent configuration: every EDS cluster has its endpoints and every listener
 * that names a route configuration has it. The client delivers only such snapshots.
 *
 * <p>SDS secrets (a gateway's {@code kubernetes://NAME}) are not waited for: a listener whose
 * secret has not arrived stays warming in the proxy while the rest of the snapshot serves, as in Envoy.
 *
 * @param versions the version of each type ({@code LDS}, {@code RDS}, {@code CDS}, {@code EDS}, {@code SDS}) it holds
 * @param secrets the SDS secrets received, by name
 */
public record XdsSnapshot(
    Map<String, Listener> listeners,
    Map<String, RouteConfiguration> routes,
    Map<String, Cluster> clusters,
    Map<String, ClusterLoadAssignment> endpoints,
    Map<String, String> versions,
    Map<String, Secret> secrets) {

  public static final XdsSnapshot EMPTY = new XdsSnapshot(Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

  /** A snapshot without SDS secrets. */
  public XdsSnapshot(Map<String, Listener> listeners, Map<String, RouteConfiguration> routes, Map<String, Cluster> clusters,
      Map<String, ClusterLoadAssignment> endpoints, Map<String, String> versions) {
    this(listeners, routes, clusters, endpoints, versions, Map.of());
  }
}
