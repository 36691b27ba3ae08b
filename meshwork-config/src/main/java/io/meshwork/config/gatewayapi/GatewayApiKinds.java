package io.meshwork.config.gatewayapi;

import io.meshwork.config.Kind;
import java.util.List;

/** The Kubernetes Gateway API kinds (Gateway, HTTPRoute, GRPCRoute, GatewayClass, ReferenceGrant). */
public final class GatewayApiKinds {
  private GatewayApiKinds() {}

  static final String GROUP = "gateway.networking.k8s.io";

  public static final Kind GATEWAY = Kind.istio(GROUP, "Gateway", "gateways", List.of("v1", "v1beta1"), Gateway.class, true);
  public static final Kind HTTP_ROUTE = Kind.istio(GROUP, "HTTPRoute", "httproutes", List.of("v1", "v1beta1"), HTTPRoute.class, true);
  public static final Kind GRPC_ROUTE = Kind.istio(GROUP, "GRPCRoute", "grpcroutes", List.of("v1", "v1alpha2"), GRPCRoute.class, true);
  public static final Kind GATEWAY_CLASS = new Kind(GROUP, "GatewayClass", "gatewayclasses", List.of("v1", "v1beta1"),
      GatewayClass.class, true, false, Kind.Support.SUPPORTED, Kind.Shape.SPEC);
  public static final Kind REFERENCE_GRANT =
      Kind.istio(GROUP, "ReferenceGrant", "referencegrants", List.of("v1beta1", "v1"), ReferenceGrant.class, true);

  public static final List<Kind> ALL = List.of(GATEWAY, HTTP_ROUTE, GRPC_ROUTE, GATEWAY_CLASS, REFERENCE_GRANT);
}
