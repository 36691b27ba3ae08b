package io.meshwork.xds.client;

import java.util.List;

/** The four xDS type URLs the client subscribes to, in the order it asks for them. */
public final class TypeUrls {
  public static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";
  public static final String ROUTE = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  public static final String CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  public static final String ENDPOINT = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  /** SDS over ADS: subscribed by name for the secrets listeners reference (gateway credentials). */
  public static final String SECRET = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";
  public static final List<String> ALL = List.of(CLUSTER, ENDPOINT, LISTENER, ROUTE);

  private TypeUrls() {}

  public static String shortName(String typeUrl) {
    return switch (typeUrl) {
      case LISTENER -> "LDS";
      case ROUTE -> "RDS";
      case CLUSTER -> "CDS";
      case ENDPOINT -> "EDS";
      case SECRET -> "SDS";
      default -> typeUrl;
    };
  }
}
