package io.meshwork.config.gatewayapi;

import io.meshwork.config.schema.Constraints.MaxLength;
import io.meshwork.config.schema.Constraints.MinLength;
import io.meshwork.config.schema.Constraints.Pattern;
import io.meshwork.config.schema.Constraints.Required;

/**
 * gateway.networking.k8s.io GatewayClass (cluster-scoped): names the controller that implements
 * the Gateways of this class ({@code istio.io/gateway-controller} for Istio's).
 */
public record GatewayClass(
    @Required @MinLength(1) @MaxLength(253) @Pattern(Names.CONTROLLER_NAME) String controllerName,
    ParametersReference parametersRef,
    @MaxLength(64) String description) {

  /** Implementation-specific parameters of the class. */
  public record ParametersReference(
      @Required @MaxLength(253) @Pattern(Names.GROUP) String group,
      @Required @MinLength(1) @MaxLength(63) @Pattern(Names.KIND) String kind,
      @Required @MinLength(1) @MaxLength(253) String name,
      @MinLength(1) @MaxLength(63) @Pattern(Names.NAMESPACE) String namespace) {}
}
