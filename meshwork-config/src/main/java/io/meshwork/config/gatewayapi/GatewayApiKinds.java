package io.meshwork.config.gatewayapi;

import io.meshwork.config.Kind;
import java.util.List;

/** The Kubernetes Gateway API kinds (Gateway, HTTPRoute, GRPCRoute). */
public final class GatewayApiKinds {
  private GatewayApiKinds() {}

  public static final List<Kind> ALL = List.of();
}
