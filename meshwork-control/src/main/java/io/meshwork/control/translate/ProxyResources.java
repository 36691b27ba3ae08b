package io.meshwork.control.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Everything one proxy receives, by resource name (sorted, so output and goldens are stable). */
public record ProxyResources(
    SortedMap<String, Listener> listeners,
    SortedMap<String, RouteConfiguration> routes,
    SortedMap<String, Cluster> clusters,
    SortedMap<String, ClusterLoadAssignment> endpoints) {

  public static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";
  public static final String ROUTE = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  public static final String CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  public static final String ENDPOINT = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

  static ProxyResources of(Map<String, Listener> l, Map<String, RouteConfiguration> r, Map<String, Cluster> c,
      Map<String, ClusterLoadAssignment> e) {
    return new ProxyResources(Collections.unmodifiableSortedMap(new TreeMap<>(l)), Collections.unmodifiableSortedMap(new TreeMap<>(r)),
        Collections.unmodifiableSortedMap(new TreeMap<>(c)), Collections.unmodifiableSortedMap(new TreeMap<>(e)));
  }

  /** The resources of one xDS type URL, by name. */
  public Map<String, ? extends com.google.protobuf.Message> ofType(String typeUrl) {
    return switch (typeUrl) {
      case LISTENER -> listeners;
      case ROUTE -> routes;
      case CLUSTER -> clusters;
      case ENDPOINT -> endpoints;
      default -> Map.of();
    };
  }
}
